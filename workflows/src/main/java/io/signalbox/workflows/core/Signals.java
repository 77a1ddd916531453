package io.signalbox.workflows.core;

/** The payloads of the signals every runbook takes (DESIGN.md, "The contract"). */
public final class Signals {
  private Signals() {}

  /**
   * {@code approve}: one person's approval of a gate.
   *
   * @param gate the gate's name, e.g. {@code switch}
   * @param by who approves (as the client says: the Temporal server may not authenticate callers)
   * @param comment why; required when the run's approvals say {@code requireComment}
   * @param planDigest optional: the {@code planDigest} of the report the approver saw
   */
  public record Approve(String gate, String by, String comment, String planDigest) {}

  /** {@code reject}: a person's rejection of a gate; one rejection closes the gate. */
  public record Reject(String gate, String by, String reason) {}

  /** {@code pause}: stop at the next step boundary. */
  public record Pause(String by, String reason) {}

  /** {@code resume}: go on after a pause. */
  public record Resume(String by) {}
}
