package io.signalbox.workflows.core;

/** The state of one step of a run. */
public enum StepState {
  RUNNING,
  DONE,
  FAILED,
  /** Not run: a dry run skips changing steps and gates. */
  SKIPPED,
  /** An undo step that ran during compensation. */
  UNDONE
}
