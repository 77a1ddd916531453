package io.signalbox.workflows.rollback;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.activity.ActivityInterface;

/**
 * The evidence store as {@code Rollback} needs it: the recorded facts of the run to roll back, and
 * the link from that run's evidence to the rollback. Activity type names carry the prefix {@code
 * RollbackEvidence}.
 */
@ActivityInterface(namePrefix = "RollbackEvidence")
public interface RollbackEvidenceActivities {

  /**
   * @param workflowId the run's workflow id
   * @param runId its run id, or null for the newest recorded run of the workflow id
   */
  record FindRunInput(String workflowId, String runId) {}

  /**
   * A recorded run, as far as a rollback needs it.
   *
   * @param found whether evidence of such a run exists (every other field is null when not)
   * @param workflowId its workflow id
   * @param runId its run id
   * @param evidenceId its evidence id
   * @param runbook its workflow type
   * @param outcome COMPLETED, FAILED, ROLLED_BACK or CANCELLED
   * @param dryRun whether it was a dry run
   * @param endedAt when it ended (ISO-8601), or null
   * @param switched what it switched ({@code result.switched}), or null when not recorded
   * @param rolledBack the rollback that already undid it, or null
   */
  record RecordedRun(
      boolean found,
      String workflowId,
      String runId,
      String evidenceId,
      String runbook,
      String outcome,
      boolean dryRun,
      String endedAt,
      JsonNode switched,
      RolledBack rolledBack) {}

  /**
   * The link from a rolled-back run's evidence to its rollback.
   *
   * @param workflowId the rollback's workflow id
   * @param runId the rollback's run id
   * @param requestedBy who requested the rollback
   * @param at when it completed (ISO-8601, workflow time)
   */
  record RolledBack(String workflowId, String runId, String requestedBy, String at) {}

  /**
   * @param workflowId the rolled-back run's workflow id
   * @param runId its run id
   * @param rolledBack the rollback
   */
  record MarkInput(String workflowId, String runId, RolledBack rolledBack) {}

  /** The recorded run; {@code found} false when there is no evidence of it. Read-only. */
  RecordedRun findRun(FindRunInput input);

  /**
   * Records on the rolled-back run's evidence (its JSON as {@code rolledBack}, and its report) that
   * it was rolled back, by which run and when. Idempotent: marking again with the same rollback
   * changes nothing; a run already marked by another rollback is {@code PreconditionFailed}.
   */
  void markRolledBack(MarkInput input);
}
