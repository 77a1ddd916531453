package io.signalbox.workflows.copy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.StoredReport;
import io.temporal.activity.ActivityInterface;
import java.util.ArrayList;
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
   * <p>A database has thousands of tables, so the activity that verifies keeps the full report in
   * the evidence store and returns a bounded one ({@link #bounded}): at most {@link #SUMMARY_ITEMS}
   * rows of {@code tables} (mismatches first), of {@code sequenceProblems} and of {@code
   * schemaDifferences} (each list then ending with {@code "... and N more"}), the counts, and
   * {@code fullReport}, the reference and digest of the whole report. Reports recorded before that
   * carry every row and no {@code fullReport}.
   *
   * @param matches whether everything matched
   * @param summary one line for people
   * @param checksums whether content checksums were compared
   * @param sourceRows rows on the source (manifest)
   * @param targetRows rows on the target
   * @param tables one line per table, mismatches first (bounded: the first {@link #SUMMARY_ITEMS})
   * @param sequenceProblems sequences on the target behind where the source was
   * @param schemaDifferences schema objects that differ
   * @param tableCount tables compared, all of them (null in reports that carry every row)
   * @param mismatchCount tables that differ, all of them (null as {@code tableCount})
   * @param moreTables rows of {@code tables} left out of this bounded report (null as {@code
   *     tableCount})
   * @param sequenceProblemCount sequence problems, all of them (null as {@code tableCount})
   * @param schemaDifferenceCount schema differences, all of them (null as {@code tableCount})
   * @param fullReport where the whole report is kept, and its digest; null when this report is the
   *     whole report
   */
  record VerificationReport(
      boolean matches,
      String summary,
      boolean checksums,
      long sourceRows,
      long targetRows,
      List<TableCheck> tables,
      List<String> sequenceProblems,
      List<String> schemaDifferences,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer tableCount,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer mismatchCount,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer moreTables,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer sequenceProblemCount,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer schemaDifferenceCount,
      @JsonInclude(JsonInclude.Include.NON_NULL) StoredReport fullReport) {

    /**
     * The most rows of each list a bounded report carries: with table names of up to 63 bytes per
     * part, a bounded report stays below about 10 KiB however many tables the database has.
     */
    public static final int SUMMARY_ITEMS = 20;

    /** A whole report, as the verification computes it (and as reports were before bounding). */
    public VerificationReport(
        boolean matches,
        String summary,
        boolean checksums,
        long sourceRows,
        long targetRows,
        List<TableCheck> tables,
        List<String> sequenceProblems,
        List<String> schemaDifferences) {
      this(
          matches,
          summary,
          checksums,
          sourceRows,
          targetRows,
          tables,
          sequenceProblems,
          schemaDifferences,
          null,
          null,
          null,
          null,
          null,
          null);
    }

    /** The names of the mismatching tables (of this report: a bounded one names the first). */
    public List<String> mismatchingTables() {
      return tables.stream().filter(t -> !t.ok()).map(TableCheck::table).toList();
    }

    /** Tables compared, all of them, whether this report is bounded or whole. */
    public int tablesTotal() {
      return tableCount != null ? tableCount : tables == null ? 0 : tables.size();
    }

    /** Tables that differ, all of them, whether this report is bounded or whole. */
    public int mismatchesTotal() {
      return mismatchCount != null
          ? mismatchCount
          : tables == null ? 0 : (int) tables.stream().filter(t -> !t.ok()).count();
    }

    /**
     * This report bounded for workflow history: the first {@code limit} rows of each list (tables
     * keep their order, mismatches first), a list cut short ending with {@code "... and N more"},
     * the counts of all rows, and the reference to the whole report. The summary ends with where
     * the whole report is read ({@code signalbox evidence <id>}).
     *
     * @param limit rows to keep per list (at least 1)
     * @param full where the whole report is kept, with its digest
     */
    public VerificationReport bounded(int limit, StoredReport full) {
      if (limit < 1) {
        throw new IllegalArgumentException("limit must be at least 1");
      }
      List<TableCheck> all = tables == null ? List.of() : tables;
      List<String> sequences = sequenceProblems == null ? List.of() : sequenceProblems;
      List<String> schema = schemaDifferences == null ? List.of() : schemaDifferences;
      String line =
          full == null
              ? summary
              : summary + "; full report: signalbox evidence " + full.evidenceId();
      return new VerificationReport(
          matches,
          line,
          checksums,
          sourceRows,
          targetRows,
          List.copyOf(all.subList(0, Math.min(limit, all.size()))),
          firstOf(sequences, limit),
          firstOf(schema, limit),
          all.size(),
          (int) all.stream().filter(t -> !t.ok()).count(),
          Math.max(0, all.size() - limit),
          sequences.size(),
          schema.size(),
          full);
    }

    /**
     * What differs, for a failure message: {@code "; <table>: <problem>"} per mismatching table,
     * sequence problem and schema difference, at most {@code limit} of each, then how many more
     * there are (a bounded report's summary says where to read them all).
     */
    public String describeMismatches(int limit) {
      StringBuilder out = new StringBuilder();
      List<TableCheck> bad =
          tables == null ? List.of() : tables.stream().filter(t -> !t.ok()).toList();
      bad.stream()
          .limit(limit)
          .forEach(t -> out.append("; ").append(t.table()).append(": ").append(t.problem()));
      int moreBad = mismatchesTotal() - Math.min(limit, bad.size());
      if (moreBad > 0) {
        out.append("; ... and ").append(moreBad).append(" more mismatching tables");
      }
      appendItems(out, "sequence ", sequenceProblems, sequenceProblemCount, limit);
      appendItems(out, "schema ", schemaDifferences, schemaDifferenceCount, limit);
      return out.toString();
    }

    private static void appendItems(
        StringBuilder out, String prefix, List<String> items, Integer total, int limit) {
      if (items == null) {
        return;
      }
      int shown = shown(items);
      int count = total != null ? total : items.size();
      items.stream()
          .limit(Math.min(limit, shown))
          .forEach(p -> out.append("; ").append(prefix).append(p));
      int more = count - Math.min(limit, shown);
      if (more > 0) {
        out.append("; ... and ").append(more).append(" more ").append(prefix.strip());
      }
    }

    /** Items of a list that are not its {@code "... and N more"} line. */
    private static int shown(List<String> items) {
      int n = items.size();
      return n > 0 && items.get(n - 1).startsWith(MORE) ? n - 1 : n;
    }

    private static final String MORE = "... and ";

    private static List<String> firstOf(List<String> items, int limit) {
      if (items.size() <= limit) {
        return List.copyOf(items);
      }
      List<String> first = new ArrayList<>(items.subList(0, limit));
      first.add(MORE + (items.size() - limit) + " more");
      return List.copyOf(first);
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
