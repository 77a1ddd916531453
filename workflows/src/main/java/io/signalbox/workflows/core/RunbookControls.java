package io.signalbox.workflows.core;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;

/**
 * The signals, Updates and the query every runbook has. Each runbook's workflow interface extends
 * this, so the UI's "Send signal" dialog and any client use the same names on every runbook.
 *
 * <p>{@code approve} and {@code reject} are signals: fire and forget, a refusal is recorded in the
 * run's status and evidence. {@code approveGate} and {@code rejectGate} take the same payloads as
 * Updates: their validators refuse with the reason (a failure whose message is the reason; nothing
 * enters the history), and an accepted one answers with the {@link GateDecision}.
 */
public interface RunbookControls {

  @SignalMethod(name = "approve")
  void approve(Signals.Approve approval);

  @SignalMethod(name = "reject")
  void reject(Signals.Reject rejection);

  /**
   * {@code approveGate}: {@code approve} as an Update, answered with the decision.
   *
   * @return the approval counted and where the gate stands now
   */
  @UpdateMethod(name = "approveGate")
  GateDecision approveGate(Signals.Approve approval);

  /** Refuses an {@code approveGate} with the reason, before anything enters the history. */
  @UpdateValidatorMethod(updateName = "approveGate")
  void refuseApproveGate(Signals.Approve approval);

  /**
   * {@code rejectGate}: {@code reject} as an Update, answered with the decision.
   *
   * @return the rejection counted: the gate is rejected
   */
  @UpdateMethod(name = "rejectGate")
  GateDecision rejectGate(Signals.Reject rejection);

  /** Refuses a {@code rejectGate} with the reason, before anything enters the history. */
  @UpdateValidatorMethod(updateName = "rejectGate")
  void refuseRejectGate(Signals.Reject rejection);

  @SignalMethod(name = "pause")
  void pause(Signals.Pause pause);

  @SignalMethod(name = "resume")
  void resume(Signals.Resume resume);

  @QueryMethod(name = "status")
  RunbookStatus status();
}
