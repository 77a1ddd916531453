package io.signalbox.workflows.core;

import io.temporal.failure.ApplicationFailure;

/**
 * The one failure vocabulary of Signalbox. Each constant is used as an {@link ApplicationFailure}
 * type, so an operator (and a client) can tell from the failure type alone why a run ended.
 */
public enum FailureType {
  /** The input does not map onto the runbook's input: fix the JSON and start again. */
  INVALID_INPUT("InvalidInput", false),
  /** Something the runbook needs before it may change anything is not there. */
  PRECONDITION_FAILED("PreconditionFailed", false),
  /** The copy does not match its source. */
  VERIFICATION_FAILED("VerificationFailed", false),
  /** A person rejected a gate. */
  GATE_REJECTED("GateRejected", false),
  /** Nobody approved a gate before its deadline: gates fail closed. */
  GATE_TIMED_OUT("GateTimedOut", false),
  /** A health check did not pass before its timeout. */
  HEALTH_CHECK_FAILED("HealthCheckFailed", false),
  /** A step failed after its retries. */
  STEP_FAILED("StepFailed", false),
  /**
   * A bug in the runbook's own code (an unexpected exception, not a Temporal failure): the run is
   * undone and ended instead of retried for ever. Report it with the run's id.
   */
  INTERNAL_ERROR("InternalError", false),
  /**
   * An {@code approveGate} or {@code rejectGate} Update that the run refused (unlisted approver,
   * self-approval, duplicate, wrong gate, stale plan digest, missing comment, over-long name). It
   * answers the caller and ends nothing: the gate stays open. (The SDK reports a refusal by a
   * validator under its own failure type; the message is the reason either way.)
   */
  APPROVAL_REFUSED("ApprovalRefused", false),
  /** A transient problem: Temporal retries it. */
  TRANSIENT("Transient", true);

  private final String type;
  private final boolean retryable;

  FailureType(String type, boolean retryable) {
    this.type = type;
    this.retryable = retryable;
  }

  /** The {@link ApplicationFailure#getType()} string, e.g. {@code InvalidInput}. */
  public String type() {
    return type;
  }

  /** Whether Temporal should retry an activity that failed with this type. */
  public boolean retryable() {
    return retryable;
  }

  /** A failure of this type; permanent types are non-retryable. */
  public ApplicationFailure failure(String message, Object... details) {
    return retryable
        ? ApplicationFailure.newFailure(message, type, details)
        : ApplicationFailure.newNonRetryableFailure(message, type, details);
  }

  /** The constant for a failure type string, or {@link #STEP_FAILED} when it is not ours. */
  public static FailureType fromType(String type) {
    for (FailureType t : values()) {
      if (t.type.equals(type)) {
        return t;
      }
    }
    return STEP_FAILED;
  }

  /** The failure types that no retry can fix, as activity retry options want them. */
  public static String[] nonRetryableTypes() {
    return java.util.Arrays.stream(values())
        .filter(t -> !t.retryable)
        .map(FailureType::type)
        .toArray(String[]::new);
  }
}
