package io.signalbox.workflows.core;

/**
 * The base of every runbook's workflow implementation: holds the run's {@link Runbook} and answers
 * the signals, the Updates and the {@code status} query that every runbook has, so a runbook only
 * writes its steps.
 *
 * @param <I> the runbook's input record
 */
public abstract class RunbookWorkflow<I extends RunbookInput> implements RunbookControls {

  /** The run's primitives: steps, gates, pause points, compensation. */
  protected final Runbook<I> runbook;

  /**
   * @param type the workflow type
   * @param inputType the record the validated input maps onto
   */
  protected RunbookWorkflow(String type, Class<I> inputType) {
    this.runbook = new Runbook<>(type, inputType);
  }

  @Override
  public void approve(Signals.Approve approval) {
    runbook.approve(approval);
  }

  @Override
  public void reject(Signals.Reject rejection) {
    runbook.reject(rejection);
  }

  @Override
  public GateDecision approveGate(Signals.Approve approval) {
    return runbook.approveGate(approval);
  }

  @Override
  public void refuseApproveGate(Signals.Approve approval) {
    runbook.refuseApproveGate(approval);
  }

  @Override
  public GateDecision rejectGate(Signals.Reject rejection) {
    return runbook.rejectGate(rejection);
  }

  @Override
  public void refuseRejectGate(Signals.Reject rejection) {
    runbook.refuseRejectGate(rejection);
  }

  @Override
  public void pause(Signals.Pause pause) {
    runbook.pause(pause);
  }

  @Override
  public void resume(Signals.Resume resume) {
    runbook.resume(resume);
  }

  @Override
  public RunbookStatus status() {
    return runbook.status();
  }
}
