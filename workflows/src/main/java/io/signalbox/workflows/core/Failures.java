package io.signalbox.workflows.core;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.worker.NonDeterministicException;

/**
 * How a run's failures read: their type, their message, and whether one is a bug.
 *
 * <p>A bug in runbook code is an unchecked exception (a NullPointerException, an
 * IllegalArgumentException…) that is not a Temporal failure. The SDK's own signals are not bugs of
 * ours and must reach the SDK untouched: a {@link NonDeterministicException}, the internal
 * exceptions it throws through workflow code (an unsupported version, a query that tried to change
 * state) and its Errors (the one that ends a workflow thread is an {@link Error}, never a {@link
 * RuntimeException}).
 */
final class Failures {
  private Failures() {}

  /** Whether {@code t} is a bug in runbook code (see the class comment). */
  static boolean isBug(Throwable t) {
    return t instanceof RuntimeException
        && !(t instanceof TemporalFailure)
        && !(t instanceof NonDeterministicException)
        && !t.getClass().getName().startsWith("io.temporal.internal.");
  }

  /** {@code NullPointerException: text}, bounded: what a status line and a message can carry. */
  static String describe(Throwable t) {
    String message = t.getMessage();
    return Limits.cut(
        t.getClass().getSimpleName() + (message == null ? "" : ": " + message), Limits.TEXT);
  }

  /** The failure type a run ends with after {@code failure}: the innermost of ours. */
  static FailureType classify(TemporalFailure failure) {
    Throwable t = failure;
    while (t != null) {
      if (t instanceof ApplicationFailure app) {
        return FailureType.fromType(app.getType());
      }
      if (t instanceof TimeoutFailure) {
        return FailureType.STEP_FAILED;
      }
      t = t.getCause();
    }
    return FailureType.STEP_FAILED;
  }

  /** The innermost useful message: activity and child failures wrap the real one. */
  static String message(TemporalFailure failure) {
    Throwable t = failure;
    while ((t instanceof ActivityFailure || t instanceof ChildWorkflowFailure)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    if (t instanceof TemporalFailure tf) {
      return tf.getOriginalMessage();
    }
    return String.valueOf(t.getMessage());
  }
}
