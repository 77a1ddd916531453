package io.signalbox.workflows.core;

/**
 * One decision about a gate, kept in status and evidence: approvals, rejections, timeouts and
 * refused signals (with the reason they were refused).
 *
 * @param gate the gate the signal named
 * @param decision APPROVED, REJECTED, TIMED_OUT or REFUSED
 * @param by who sent it (null for a timeout)
 * @param at ISO-8601 instant (workflow time)
 * @param comment the approver's comment or the rejecter's reason
 * @param refusal why a signal was refused; null otherwise
 */
public record ApprovalRecord(
    String gate, String decision, String by, String at, String comment, String refusal) {
  public static final String APPROVED = "APPROVED";
  public static final String REJECTED = "REJECTED";
  public static final String TIMED_OUT = "TIMED_OUT";
  public static final String REFUSED = "REFUSED";
}
