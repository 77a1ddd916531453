package io.signalbox.workflows.rollback;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.signalbox.workflows.core.ApprovalPolicy;
import io.signalbox.workflows.core.RunbookInput;

/**
 * Input of {@code Rollback} ({@code runbooks/rollback/input.schema.json}).
 *
 * @param workflowId the workflow id of the completed run to roll back (a {@code GiteaDbMigration},
 *     or a {@code StateHubCutover} once it records the same facts)
 * @param runId that run's run id, when the workflow id has had several runs; default: its newest
 *     recorded run
 * @param requestedBy who starts the rollback
 * @param dryRun read the evidence and measure what would be left behind, change nothing
 * @param approvals the policy of gate {@code rollback}
 * @param carryOver copy rows that are on the new database but not on the old one back to the old
 *     one, after the new one is frozen and before the app is repointed (default false)
 */
public record RollbackInput(
    String workflowId,
    String runId,
    String requestedBy,
    Boolean dryRun,
    ApprovalPolicy approvals,
    @JsonProperty("carryOver") Boolean carryOver)
    implements RunbookInput {

  /** The workflow id prefix of a rollback: one rollback per run at a time (see {@link #id}). */
  public static final String ID_PREFIX = "rollback-";

  /**
   * The workflow id a rollback of {@code workflowId} runs under. Temporal allows one open run per
   * workflow id, so two rollbacks of one run cannot run at once; a failed rollback can be started
   * again under the same id.
   */
  public static String id(String workflowId) {
    return ID_PREFIX + workflowId;
  }

  public boolean carryOverOrDefault() {
    return Boolean.TRUE.equals(carryOver);
  }
}
