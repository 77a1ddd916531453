package io.signalbox.workflows.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.failure.ApplicationFailure;
import io.temporal.worker.NonDeterministicException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The undo stack, without Temporal: the runner here just runs each undo. */
class CompensationTest {
  private final Compensation compensation = new Compensation();
  private final List<String> ran = new ArrayList<>();

  private Compensation.Outcome undoAll() {
    return compensation.undoAll(
        (step, undo) -> {
          ran.add(step);
          undo.run();
        });
  }

  @Test
  void nothingRegisteredMeansNothingChanged() {
    Compensation.Outcome outcome = undoAll();
    assertThat(outcome.changed()).isFalse();
    assertThat(outcome.clean()).isFalse();
    assertThat(outcome.sentence()).isEqualTo("Nothing had been changed.");
  }

  @Test
  void undosRunNewestFirst() {
    compensation.push("freeze", () -> {});
    compensation.push("apply", () -> {});
    Compensation.Outcome outcome = undoAll();
    assertThat(ran).containsExactly("apply", "freeze");
    assertThat(outcome.clean()).isTrue();
    assertThat(outcome.sentence()).isEqualTo("Undone: apply, freeze.");
    assertThat(compensation.isEmpty()).isTrue();
  }

  @Test
  void aFailedOrBuggyUndoDoesNotStopTheOthers() {
    compensation.push("freeze", () -> {});
    compensation.push(
        "scale",
        () -> {
          throw ApplicationFailure.newNonRetryableFailure("api down", "StepFailed");
        });
    compensation.push(
        "apply",
        () -> {
          throw new NullPointerException("patch was null");
        });
    Compensation.Outcome outcome = undoAll();
    assertThat(ran).containsExactly("apply", "scale", "freeze");
    assertThat(outcome.undone()).containsExactly("freeze");
    assertThat(outcome.clean()).isFalse();
    assertThat(outcome.sentence())
        .isEqualTo(
            "Undone: freeze. NOT undone, fix by hand: apply (bug in the undo:"
                + " NullPointerException: patch was null); scale (api down).");
  }

  @Test
  void theSdksOwnExceptionsAreNotSwallowed() {
    compensation.push("freeze", () -> {});
    compensation.push(
        "apply",
        () -> {
          throw new NonDeterministicException("replay differs", null);
        });
    assertThatThrownBy(this::undoAll).isInstanceOf(NonDeterministicException.class);
    assertThat(ran).containsExactly("apply");

    Compensation other = new Compensation();
    other.push(
        "apply",
        () -> {
          throw new AssertionError("an Error");
        });
    assertThatThrownBy(() -> other.undoAll((step, undo) -> undo.run()))
        .isInstanceOf(AssertionError.class);
  }
}
