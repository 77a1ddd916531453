package io.signalbox.workflows.core;

import io.temporal.failure.TemporalFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The steps of one run, as status, result and evidence list them: runs a step's body and records it
 * running, then done or failed, and remembers the step a bug was thrown in. Workflow code; {@code
 * publish} is called after each change {@link #run} records.
 */
final class StepRunner {
  private final List<StepRecord> steps = new ArrayList<>();
  private final Runnable publish;
  private String currentStep;
  private String bugStep;

  /**
   * @param publish shows the run's state again (the runbook's status publishing)
   */
  StepRunner(Runnable publish) {
    this.publish = publish;
  }

  /** The current (or last) step, or null. */
  String current() {
    return currentStep;
  }

  /** The run has ended: no step is current. */
  void clearCurrent() {
    currentStep = null;
  }

  /** Every step so far. */
  List<StepRecord> records() {
    return List.copyOf(steps);
  }

  /** Records a step a dry run did not take. */
  void skipped(String name, String why) {
    steps.add(new StepRecord(name, StepState.SKIPPED, Runbook.now(), Runbook.now(), why));
  }

  /** Records a step as running and makes it current; {@link #end} ends it by the index returned. */
  int begin(String name, String detail) {
    currentStep = name;
    int index = steps.size();
    steps.add(new StepRecord(name, StepState.RUNNING, Runbook.now(), null, detail));
    return index;
  }

  /** Ends the step {@link #begin} returned {@code index} for. */
  void end(int index, StepState state, String detail) {
    StepRecord s = steps.get(index);
    steps.set(index, s.end(state, Runbook.now(), detail));
  }

  /** Sets the detail line of the current step, e.g. what it found. */
  void detail(String detail) {
    for (int i = steps.size() - 1; i >= 0; i--) {
      StepRecord s = steps.get(i);
      if (s.name().equals(currentStep) && s.state() == StepState.RUNNING) {
        steps.set(i, new StepRecord(s.name(), s.state(), s.startedAt(), s.endedAt(), detail));
        publish.run();
        return;
      }
    }
  }

  /** Runs a step: recorded as running, then done, or failed with the failure's message. */
  <T> T run(String name, Supplier<T> body) {
    currentStep = name;
    int index = steps.size();
    steps.add(new StepRecord(name, StepState.RUNNING, Runbook.now(), null, null));
    publish.run();
    try {
      T value = body.get();
      StepRecord s = steps.get(index);
      steps.set(index, s.end(StepState.DONE, Runbook.now(), s.detail()));
      publish.run();
      return value;
    } catch (TemporalFailure failure) {
      StepRecord s = steps.get(index);
      steps.set(index, s.end(StepState.FAILED, Runbook.now(), Failures.message(failure)));
      publish.run();
      throw failure;
    } catch (RuntimeException e) {
      if (Failures.isBug(e)) {
        bugStep = bugStep == null ? name : bugStep;
        StepRecord s = steps.get(index);
        steps.set(index, s.end(StepState.FAILED, Runbook.now(), "bug: " + Failures.describe(e)));
        publish.run();
      }
      throw e;
    }
  }

  /** Marks the last step, an undo just run, as undone. */
  void lastUndone() {
    StepRecord last = steps.get(steps.size() - 1);
    steps.set(steps.size() - 1, last.end(StepState.UNDONE, last.endedAt(), last.detail()));
  }

  /** Fails every step still running, with why. */
  void failRunning(String why) {
    for (int i = 0; i < steps.size(); i++) {
      StepRecord s = steps.get(i);
      if (s.state() == StepState.RUNNING) {
        steps.set(i, s.end(StepState.FAILED, Runbook.now(), why));
      }
    }
  }

  /** " in step 'x'" for the step that threw, " after step 'x'" between steps. */
  String where() {
    if (bugStep != null) {
      return " in step '" + bugStep + "'";
    }
    for (int i = steps.size() - 1; i >= 0; i--) {
      if (steps.get(i).state() == StepState.RUNNING) {
        return " in step '" + steps.get(i).name() + "'";
      }
    }
    return currentStep == null ? "" : " after step '" + currentStep + "'";
  }
}
