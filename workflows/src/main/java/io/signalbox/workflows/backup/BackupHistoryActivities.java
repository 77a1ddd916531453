package io.signalbox.workflows.backup;

import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Reads past {@code BackupVerification} runs from Signalbox's evidence store, per database name
 * (the {@code name} of a verification, default {@code <database>@<host>}): when each last passed
 * and the restore times (RTO) of its last runs. Read-only; dry runs are left out.
 */
@ActivityInterface(namePrefix = "BackupHistory")
public interface BackupHistoryActivities {

  /**
   * @param names the database names to read
   * @param runs how many of the last runs (newest first) to return per database
   */
  record HistoryRequest(List<String> names, int runs) {}

  /**
   * @param available false when there is no history to read (no evidence database: files only)
   * @param note why there is none, when {@code available} is false
   * @param databases one entry per requested name that has any history
   */
  record HistoryResult(boolean available, String note, List<DatabaseHistory> databases) {}

  /**
   * @param name the database name
   * @param newestSuccessAt when its newest successful verification completed (ISO-8601), or null
   * @param newestSuccessWorkflowId the workflow id of that run, or null
   * @param lastRuns its last runs, newest first
   */
  record DatabaseHistory(
      String name,
      String newestSuccessAt,
      String newestSuccessWorkflowId,
      List<PastRun> lastRuns) {}

  /**
   * @param workflowId the verification's workflow id
   * @param endedAt when it ended (ISO-8601)
   * @param outcome COMPLETED, FAILED, ROLLED_BACK or CANCELLED
   * @param rtoSeconds its measured restore time, when it restored
   */
  record PastRun(String workflowId, String endedAt, String outcome, Double rtoSeconds) {}

  HistoryResult read(HistoryRequest request);
}
