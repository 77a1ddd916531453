package io.signalbox.workflows.core;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;

/**
 * The signals and the query every runbook has. Each runbook's workflow interface extends this, so
 * the UI's "Send signal" dialog and any client use the same names on every runbook.
 */
public interface RunbookControls {

  @SignalMethod(name = "approve")
  void approve(Signals.Approve approval);

  @SignalMethod(name = "reject")
  void reject(Signals.Reject rejection);

  @SignalMethod(name = "pause")
  void pause(Signals.Pause pause);

  @SignalMethod(name = "resume")
  void resume(Signals.Resume resume);

  @QueryMethod(name = "status")
  RunbookStatus status();
}
