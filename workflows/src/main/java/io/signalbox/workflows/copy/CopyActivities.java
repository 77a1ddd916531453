package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.Endpoint;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * The three long steps of a copy: a snapshot-consistent dump with its manifest, a parallel restore,
 * and the verification of the target against the manifest. Dump, restore and verify of one copy run
 * on the worker that holds the dump: {@link #dump} returns that worker's own task queue, and the
 * workflow sends the other two there (unless the dump directory is shared).
 *
 * <p>All three heartbeat their progress; a lost heartbeat or a cancel ends the child process.
 */
@ActivityInterface(namePrefix = "Copy")
public interface CopyActivities {

  /**
   * @param source the database to dump
   * @param copyId names the dump directory and marks what the restore creates
   * @param jobs parallel pg_dump jobs (default 2)
   * @param dumpDir the directory under which the dump is written (default: the worker's configured
   *     dump directory)
   * @param checksums also record a content checksum per table in the manifest
   * @param compression pg_dump compression level (default 0: on 2 cores compression alone makes the
   *     dump about 4× slower)
   * @param dumpKey keys the dump directory within {@code copyId}: the workflow run id (plus a
   *     suffix when a run dumps again), so a run never touches the dump of another run that reused
   *     the workflow id; null only in requests recorded before the key existed
   */
  record DumpRequest(
      Endpoint source,
      String copyId,
      Integer jobs,
      String dumpDir,
      Boolean checksums,
      Integer compression,
      String dumpKey) {}

  /**
   * @param dumpPath the dump directory (with {@code manifest.json}) on the worker that wrote it
   * @param hostTaskQueue the task queue of that worker, or null when the dump directory is shared
   * @param snapshotId the exported snapshot the dump and the manifest's counts were taken in
   * @param snapshotTime when that snapshot was taken (ISO-8601)
   * @param tables tables in the manifest
   * @param rows rows in the manifest, all tables
   * @param dumpBytes size of the dump directory
   * @param serverVersion the source server's version
   * @param toolVersion pg_dump's version
   * @param durationMillis how long the dump took
   */
  record DumpResult(
      String dumpPath,
      String hostTaskQueue,
      String snapshotId,
      String snapshotTime,
      int tables,
      long rows,
      long dumpBytes,
      String serverVersion,
      String toolVersion,
      long durationMillis) {}

  /**
   * @param target the database to restore into (must be empty unless {@code allowNonEmpty})
   * @param dumpPath the dump directory
   * @param copyId the copy's id: a retried restore removes only what an earlier attempt of the same
   *     copy created
   * @param jobs parallel pg_restore jobs (default 2)
   * @param noOwner restore without the source's owners ({@code --no-owner}, default true)
   * @param dataOnly load the rows only ({@code pg_restore --data-only}) into a target that holds
   *     the schema already; its user tables must be empty, but for {@code replaceTables} and the
   *     rows an earlier attempt of this copy (or of {@code replacesCopyId}) loaded, which are
   *     truncated first
   * @param replaceTables with {@code dataOnly}: tables whose rows are replaced ({@code
   *     schema.table}, e.g. {@code public.alembic_version})
   * @param replacesCopyId with {@code dataOnly}: a copy whose loaded rows may be truncated first
   * @param resetTarget drop every user object in the target first (a full restore only)
   */
  record RestoreRequest(
      Endpoint target,
      String dumpPath,
      String copyId,
      Integer jobs,
      Boolean noOwner,
      Boolean dataOnly,
      List<String> replaceTables,
      String replacesCopyId,
      Boolean resetTarget) {

    /** A full restore, as requests were before the data-only fields. */
    public RestoreRequest(
        Endpoint target, String dumpPath, String copyId, Integer jobs, Boolean noOwner) {
      this(target, dumpPath, copyId, jobs, noOwner, null, null, null, null);
    }
  }

  /**
   * @param cleanedEarlierAttempt whether what an earlier attempt of this copy had created was
   *     removed first
   * @param durationMillis how long the restore took
   * @param toolVersion pg_restore's version
   */
  record RestoreResult(boolean cleanedEarlierAttempt, long durationMillis, String toolVersion) {}

  /**
   * @param target the restored database
   * @param dumpPath the dump whose manifest holds the source's counts, checksums, sequences and
   *     schema
   * @param checksums compare content checksums too
   * @param parallelism connections to use at once (default 2)
   */
  record VerifyRequest(Endpoint target, String dumpPath, Boolean checksums, Integer parallelism) {}

  /**
   * The verification of a target against the source's manifest.
   *
   * @param matches whether everything matched
   * @param summary one line for people
   * @param checksums whether content checksums were compared
   * @param sourceRows rows on the source (manifest)
   * @param targetRows rows on the target
   * @param tables one line per table, mismatches first
   * @param sequenceProblems sequences on the target behind where the source was
   * @param schemaDifferences schema objects that differ
   */
  record VerificationReport(
      boolean matches,
      String summary,
      boolean checksums,
      long sourceRows,
      long targetRows,
      List<TableCheck> tables,
      List<String> sequenceProblems,
      List<String> schemaDifferences) {

    /** The names of the mismatching tables. */
    public List<String> mismatchingTables() {
      return tables.stream().filter(t -> !t.ok()).map(TableCheck::table).toList();
    }
  }

  /**
   * One table's verification.
   *
   * @param table the quoted, schema-qualified name
   * @param sourceRows rows on the source, null when missing there
   * @param targetRows rows on the target, null when missing there
   * @param sourceChecksum content checksum on the source, when compared
   * @param targetChecksum content checksum on the target, when compared
   * @param ok whether it matches
   * @param problem what differs, null when ok
   */
  record TableCheck(
      String table,
      Long sourceRows,
      Long targetRows,
      String sourceChecksum,
      String targetChecksum,
      boolean ok,
      String problem) {}

  /**
   * The servers a copy will read and write.
   *
   * @param servers each server's {@code endpoint} (for messages) and {@code server_version_num}
   */
  record CheckToolsRequest(List<ServerVersion> servers) {}

  /**
   * @param endpoint {@code user@host:port/database}
   * @param versionNum {@code server_version_num}, e.g. 150008
   */
  record ServerVersion(String endpoint, int versionNum) {}

  /**
   * @param version the pg_dump / pg_restore version found on the worker
   * @param binDir where they are
   */
  record ToolsReport(String version, String binDir) {}

  /**
   * Checks that this worker's pg_dump and pg_restore are at least every server's major version (an
   * older pg_dump refuses a newer server); fails with {@code PreconditionFailed} naming both
   * versions and the fix. Read-only, for a runbook's preflight.
   */
  ToolsReport checkTools(CheckToolsRequest request);

  DumpResult dump(DumpRequest request);

  RestoreResult restore(RestoreRequest request);

  VerificationReport verify(VerifyRequest request);
}
