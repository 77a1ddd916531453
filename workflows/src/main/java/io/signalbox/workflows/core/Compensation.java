package io.signalbox.workflows.core;

import io.temporal.failure.TemporalFailure;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The undo stack of a run (a saga, STYLE.md 10): each changing step pushes its undo before it runs;
 * on failure, rejection or cancel the undos run in reverse. An undo that fails — a Temporal failure
 * after its retries, or a bug in its code — is reported and the others still run. The caller runs
 * {@link #undoAll} in a detached cancellation scope and records each undo as a step.
 */
final class Compensation {

  /** Runs one undo as a recorded step; throws what the undo threw. */
  @FunctionalInterface
  interface UndoStep {
    void run(String step, Runnable undo);
  }

  /**
   * @param undone the steps undone, in the order their undos ran
   * @param notUndone the steps whose undo failed, each with why
   * @param changed whether anything had been changed (an undo had been registered)
   */
  record Outcome(List<String> undone, List<String> notUndone, boolean changed) {
    /** Something had changed and every change was undone. */
    boolean clean() {
      return changed && notUndone.isEmpty();
    }

    /** A sentence on what was undone and what an operator must fix by hand. */
    String sentence() {
      if (!changed) {
        return "Nothing had been changed.";
      }
      String sentence = "Undone: " + String.join(", ", undone) + ".";
      if (!notUndone.isEmpty()) {
        sentence += " NOT undone, fix by hand: " + String.join("; ", notUndone) + ".";
      }
      return sentence;
    }
  }

  private record Undo(String step, Runnable action) {}

  private final Deque<Undo> undos = new ArrayDeque<>();

  /** Registers the undo of {@code step}; call it before the step runs. */
  void push(String step, Runnable undo) {
    undos.push(new Undo(step, undo));
  }

  boolean isEmpty() {
    return undos.isEmpty();
  }

  /** Pops and runs every undo, newest first. */
  Outcome undoAll(UndoStep runner) {
    boolean changed = !undos.isEmpty();
    List<String> done = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    while (!undos.isEmpty()) {
      Undo undo = undos.pop();
      try {
        runner.run(undo.step, undo.action);
        done.add(undo.step);
      } catch (TemporalFailure f) {
        failed.add(undo.step + " (" + Failures.message(f) + ")");
      } catch (RuntimeException e) {
        if (!Failures.isBug(e)) {
          throw e;
        }
        // A bug in one undo must not leave the other changes in place (e.g. the freeze).
        failed.add(undo.step + " (bug in the undo: " + Failures.describe(e) + ")");
      }
    }
    return new Outcome(List.copyOf(done), List.copyOf(failed), changed);
  }
}
