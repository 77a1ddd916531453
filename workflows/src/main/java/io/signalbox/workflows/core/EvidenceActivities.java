package io.signalbox.workflows.core;

import io.temporal.activity.ActivityInterface;

/**
 * Writes a run's evidence: a JSON record and a Markdown report (steps with timings, the
 * verification table, approvals and refusals, the outcome), stored in Signalbox's own database and
 * as files. Idempotent: recording the same run again replaces its record.
 */
@ActivityInterface(namePrefix = "Evidence")
public interface EvidenceActivities {

  /**
   * @param workflowId the run's workflow id
   * @param runId the run's run id
   * @param startedAt ISO-8601, workflow time
   * @param endedAt ISO-8601, workflow time
   * @param result the run's result (the failure details for every end but success)
   */
  record EvidenceInput(
      String workflowId, String runId, String startedAt, String endedAt, RunbookResult result) {}

  /**
   * @param evidenceId the id under which the record is stored ({@code workflowId/runId})
   * @param jsonPath the JSON file written, or null when no directory is configured
   * @param markdownPath the Markdown report written, or null when no directory is configured
   */
  record EvidenceRef(String evidenceId, String jsonPath, String markdownPath) {}

  EvidenceRef record(EvidenceInput input);
}
