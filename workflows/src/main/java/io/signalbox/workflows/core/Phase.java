package io.signalbox.workflows.core;

/** Where a runbook run is, as the {@code status} query and the UI show it. */
public enum Phase {
  RUNNING,
  WAITING_FOR_APPROVAL,
  PAUSED,
  ROLLING_BACK,
  COMPLETED,
  FAILED,
  ROLLED_BACK,
  CANCELLED
}
