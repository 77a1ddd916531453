package io.signalbox.workflows.core;

/**
 * Where a report too large for workflow history is kept, and its digest: the reference that
 * results, gates and failure details carry instead of the report (STYLE.md 26). The activity that
 * made the report stored it in the evidence store (Signalbox's own database, table {@code
 * signalbox_report}, or without a database a file under the evidence directory) keyed by {@code
 * (workflowId, runId, name)}; the evidence recorder loads it by this key, checks {@code sha256},
 * and writes the full report into the run's evidence.
 *
 * @param workflowId the workflow id of the run whose activity made the report
 * @param runId that run's id
 * @param name the report's name within the run, e.g. {@code verify-12} (the activity id)
 * @param sha256 SHA-256 of the report's canonical JSON ({@link Json#digest}), lower-case hex
 * @param store {@code database} or {@code file}: where it was written
 */
public record StoredReport(
    String workflowId, String runId, String name, String sha256, String store) {

  /** The evidence id of the run that holds the report: what {@code signalbox evidence} takes. */
  public String evidenceId() {
    return workflowId + "/" + runId;
  }
}
