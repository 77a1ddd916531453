package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.Endpoint;

/**
 * Input of {@link PostgresActivities#tableStats}.
 *
 * @param endpoint the database
 * @param checksums also compute a content checksum per table (reads every row)
 * @param parallelism connections to use at once (default 2)
 * @param snapshotId an exported snapshot ({@code pg_export_snapshot()}) to read in, e.g. the
 *     dump's; null to export a fresh one so that all tables are read as of one moment
 */
public record TableStatsInput(
    Endpoint endpoint, Boolean checksums, Integer parallelism, String snapshotId) {

  /** The number of connections, default 2, at least 1. */
  public int parallelismOrDefault() {
    return parallelism == null ? 2 : Math.max(1, parallelism);
  }

  /** Whether checksums were asked for. */
  public boolean checksumsOrDefault() {
    return Boolean.TRUE.equals(checksums);
  }
}
