package io.signalbox.workflows.rollback;

import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.migration.SwitchFacts;
import io.signalbox.workflows.rollback.RollbackEvidenceActivities.RecordedRun;
import java.util.ArrayList;
import java.util.List;

/**
 * The rollback's refusals before anything is touched: whether a recorded run can be rolled back,
 * and what its switch facts lack for an exact rollback. Pure functions of the evidence.
 */
final class RollbackEvidenceChecks {

  private RollbackEvidenceChecks() {}

  /**
   * The switch facts of {@code run}, or a PRECONDITION_FAILED naming why that run cannot be rolled
   * back.
   */
  static SwitchFacts checked(RollbackInput in, RecordedRun run) {
    String which = in.workflowId() + (in.runId() == null ? "" : " run " + in.runId());
    if (!run.found()) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "No evidence of a run "
              + which
              + ": check the workflow id (signalbox list, signalbox evidence <id>). Nothing was"
              + " changed.");
    }
    String id = run.evidenceId();
    if (!RollbackWorkflowImpl.ROLLBACK_OF.contains(run.runbook())) {
      throw FailureType.PRECONDITION_FAILED.failure(
          id
              + " is a "
              + run.runbook()
              + " run; Rollback undoes "
              + String.join(" and ", RollbackWorkflowImpl.ROLLBACK_OF)
              + " runs. Nothing was changed.");
    }
    if (!"COMPLETED".equals(run.outcome()) || run.dryRun()) {
      throw FailureType.PRECONDITION_FAILED.failure(
          id
              + (run.dryRun()
                  ? " was a dry run: it switched nothing"
                  : " ended "
                      + run.outcome()
                      + ", and a run that did not complete has already undone its own changes")
              + "; there is nothing to roll back. Nothing was changed.");
    }
    if (run.rolledBack() != null) {
      throw FailureType.PRECONDITION_FAILED.failure(
          id
              + " was already rolled back by "
              + run.rolledBack().workflowId()
              + "/"
              + run.rolledBack().runId()
              + " ("
              + run.rolledBack().requestedBy()
              + ") at "
              + run.rolledBack().at()
              + ". Nothing was changed.");
    }
    SwitchFacts facts = run.switched() == null ? null : Json.map(run.switched(), SwitchFacts.class);
    List<String> missing = missing(facts);
    if (!missing.isEmpty()) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "The evidence of "
              + id
              + " lacks what a rollback needs: "
              + String.join("; ", missing)
              + ". Put the app back by hand (the run's report lists its steps). Nothing was"
              + " changed.");
    }
    return facts;
  }

  /** What the recorded facts lack for an exact rollback, one line each. */
  static List<String> missing(SwitchFacts f) {
    List<String> missing = new ArrayList<>();
    if (f == null) {
      missing.add(
          "it records no switch facts (result.switched; runs before this field cannot be rolled"
              + " back by this runbook)");
      return missing;
    }
    if (f.oldDatabase() == null || f.newDatabase() == null) {
      missing.add("the old and the new database");
    }
    if (f.freeze() == null) {
      missing.add("how the old database was frozen");
    }
    if (f.patches() != null) {
      for (SwitchFacts.AppliedPatch p : f.patches()) {
        if (!p.undoable()) {
          missing.add("the undo of the patch of " + p.describe());
        }
      }
    }
    if (f.command() != null && f.command().rollbackArgv() == null) {
      missing.add(
          "a rollbackArgv for the switch command "
              + String.join(" ", f.command().argv())
              + " (the run was given none)");
    }
    return missing;
  }
}
