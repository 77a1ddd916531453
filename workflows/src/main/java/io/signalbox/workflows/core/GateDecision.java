package io.signalbox.workflows.core;

/**
 * What the {@code approveGate} and {@code rejectGate} Updates answer the person deciding: their
 * decision was counted, and where the gate stands now. A refused Update answers with a failure
 * instead ({@code WorkflowUpdateException} in the Java client), whose message is the reason.
 *
 * @param gate the gate decided on
 * @param decision APPROVED or REJECTED
 * @param by who decided
 * @param approvals distinct approvals the gate has now
 * @param needed distinct approvals that open it
 * @param gateState {@link #OPEN} (still waiting for approvals), {@link #APPROVED} (the run goes on)
 *     or {@link #REJECTED} (the run compensates and fails)
 * @param message one sentence for a person, e.g. "approval 1 of 2 counted; gate 'switch' waits for
 *     1 more"
 */
public record GateDecision(
    String gate,
    String decision,
    String by,
    int approvals,
    int needed,
    String gateState,
    String message) {
  public static final String OPEN = "OPEN";
  public static final String APPROVED = "APPROVED";
  public static final String REJECTED = "REJECTED";
}
