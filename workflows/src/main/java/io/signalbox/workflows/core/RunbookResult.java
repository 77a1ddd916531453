package io.signalbox.workflows.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What a run ends with: the result of a completed run, and the details of the failure of every
 * other end.
 *
 * @param outcome COMPLETED, FAILED, ROLLED_BACK or CANCELLED
 * @param runbook the workflow type
 * @param evidenceId the id of the evidence record, when one was written
 * @param verification the verification report, when the run verified something
 * @param plan what a dry run would do
 * @param steps every step with timings
 * @param approvals every gate decision and refused signal
 * @param failureType the failure type (see {@link FailureType}) when it did not complete
 * @param message what happened and what state was left
 * @param dryRun whether this was a dry run
 * @param requestedBy who started the run (null when the input could not be read)
 * @param rtoSeconds the measured restore time (RTO) of a run that restores a backup, else null
 * @param switched what a run changed that a later run may have to undo, as structured facts (for a
 *     migration: the old and new databases, the freeze, the patches with their undo, the command,
 *     the app; see {@code io.signalbox.workflows.migration.SwitchFacts}); null when it changed
 *     nothing of that kind
 * @param notifications what became of each notification the run sent (absent when none); a failed
 *     delivery is recorded here and never changes the outcome
 */
public record RunbookResult(
    String outcome,
    String runbook,
    String evidenceId,
    JsonNode verification,
    JsonNode plan,
    List<StepRecord> steps,
    List<ApprovalRecord> approvals,
    String failureType,
    String message,
    boolean dryRun,
    String requestedBy,
    @JsonInclude(JsonInclude.Include.NON_NULL) Double rtoSeconds,
    @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode switched,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<NotificationOutcome> notifications) {

  /** A result without notifications, as results were before them. */
  public RunbookResult(
      String outcome,
      String runbook,
      String evidenceId,
      JsonNode verification,
      JsonNode plan,
      List<StepRecord> steps,
      List<ApprovalRecord> approvals,
      String failureType,
      String message,
      boolean dryRun,
      String requestedBy,
      Double rtoSeconds,
      JsonNode switched) {
    this(
        outcome,
        runbook,
        evidenceId,
        verification,
        plan,
        steps,
        approvals,
        failureType,
        message,
        dryRun,
        requestedBy,
        rtoSeconds,
        switched,
        null);
  }

  /** A result without {@code switched}, as results were before that field. */
  public RunbookResult(
      String outcome,
      String runbook,
      String evidenceId,
      JsonNode verification,
      JsonNode plan,
      List<StepRecord> steps,
      List<ApprovalRecord> approvals,
      String failureType,
      String message,
      boolean dryRun,
      String requestedBy,
      Double rtoSeconds) {
    this(
        outcome,
        runbook,
        evidenceId,
        verification,
        plan,
        steps,
        approvals,
        failureType,
        message,
        dryRun,
        requestedBy,
        rtoSeconds,
        null);
  }

  /** A result without {@code rtoSeconds}: every runbook that restores no backup. */
  public RunbookResult(
      String outcome,
      String runbook,
      String evidenceId,
      JsonNode verification,
      JsonNode plan,
      List<StepRecord> steps,
      List<ApprovalRecord> approvals,
      String failureType,
      String message,
      boolean dryRun,
      String requestedBy) {
    this(
        outcome,
        runbook,
        evidenceId,
        verification,
        plan,
        steps,
        approvals,
        failureType,
        message,
        dryRun,
        requestedBy,
        null);
  }

  /** A result without {@code requestedBy}, as results were before that field. */
  public RunbookResult(
      String outcome,
      String runbook,
      String evidenceId,
      JsonNode verification,
      JsonNode plan,
      List<StepRecord> steps,
      List<ApprovalRecord> approvals,
      String failureType,
      String message,
      boolean dryRun) {
    this(
        outcome,
        runbook,
        evidenceId,
        verification,
        plan,
        steps,
        approvals,
        failureType,
        message,
        dryRun,
        null);
  }

  /** The same result with its evidence id. */
  public RunbookResult withEvidenceId(String id) {
    return new RunbookResult(
        outcome,
        runbook,
        id,
        verification,
        plan,
        steps,
        approvals,
        failureType,
        message,
        dryRun,
        requestedBy,
        rtoSeconds,
        switched,
        notifications);
  }

  /** The same result with a sentence added to its message. */
  public RunbookResult withNote(String note) {
    return new RunbookResult(
        outcome,
        runbook,
        evidenceId,
        verification,
        plan,
        steps,
        approvals,
        failureType,
        message == null ? note : message + " " + note,
        dryRun,
        requestedBy,
        rtoSeconds,
        switched,
        notifications);
  }

  /** The same result with the outcomes of its notifications. */
  public RunbookResult withNotifications(List<NotificationOutcome> outcomes) {
    return new RunbookResult(
        outcome,
        runbook,
        evidenceId,
        verification,
        plan,
        steps,
        approvals,
        failureType,
        message,
        dryRun,
        requestedBy,
        rtoSeconds,
        switched,
        outcomes);
  }
}
