package io.signalbox.workflows.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.core.StoredReport;
import java.util.List;

/**
 * The verification of one backup, as the result and the evidence carry it: which dump, where it was
 * restored, how long the restore took against its limit, and what each check found. Parts not
 * reached (a run that failed earlier) are null.
 *
 * @param database the name in reports and the metrics' {@code database} label
 * @param passed whether every check passed
 * @param summary one line for people
 * @param rtoSeconds the restore's wall time (RTO), null until restored
 * @param maxRestoreSeconds the limit ({@code maxRestoreTime})
 * @param tables the restored database against the manifest, one row per table (mismatches first),
 *     bounded as the copy's report is (the first rows; the evidence report shows every row, loaded
 *     through {@code fullReport}, as a table)
 * @param dump which dump was verified
 * @param scratch the scratch database, {@code user@host:port/signalbox_verify_…}
 * @param files the dump's files against their recorded sizes and digests
 * @param restore the rest of that comparison: totals, sequences, schema
 * @param amcheck what pg_amcheck found in the restored database
 * @param tableCount tables compared, all of them, when {@code tables} is bounded
 * @param moreTables rows left out of {@code tables}, when it is bounded
 * @param fullReport where the copy's whole verification report (every table) is kept, and its
 *     digest; the evidence shows every row from it. Null when {@code tables} holds every row
 */
public record BackupVerificationReport(
    String database,
    boolean passed,
    String summary,
    Double rtoSeconds,
    double maxRestoreSeconds,
    List<CopyActivities.TableCheck> tables,
    Dump dump,
    String scratch,
    BackupActivities.FilesReport files,
    Restore restore,
    BackupActivities.AmcheckReport amcheck,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer tableCount,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer moreTables,
    @JsonInclude(JsonInclude.Include.NON_NULL) StoredReport fullReport) {

  /**
   * The report of a backup verification; {@code restored} is the copy's verification (bounded or
   * whole), whose rows, counts and reference it carries.
   */
  public static BackupVerificationReport of(
      String database,
      boolean passed,
      String summary,
      Double rtoSeconds,
      double maxRestoreSeconds,
      CopyActivities.VerificationReport restored,
      Dump dump,
      String scratch,
      BackupActivities.FilesReport files,
      BackupActivities.AmcheckReport amcheck) {
    return new BackupVerificationReport(
        database,
        passed,
        summary,
        rtoSeconds,
        maxRestoreSeconds,
        restored == null ? null : restored.tables(),
        dump,
        scratch,
        files,
        Restore.of(restored),
        amcheck,
        restored == null ? null : restored.tableCount(),
        restored == null ? null : restored.moreTables(),
        restored == null ? null : restored.fullReport());
  }

  /**
   * The restored database against the manifest, without the per-table rows ({@code tables}).
   *
   * @param matches whether tables, sequences and schema all match
   * @param summary one line for people
   * @param checksums whether content checksums were compared
   * @param sourceRows rows in the manifest
   * @param targetRows rows restored
   * @param sequenceProblems sequences behind where the dump had them
   * @param schemaDifferences schema objects that differ (bounded as the copy's report)
   * @param sequenceProblemCount sequence problems, all of them, when the lists are bounded
   * @param schemaDifferenceCount schema differences, all of them, when the lists are bounded
   * @param fullReport where the copy's whole verification report is kept, and its digest
   */
  public record Restore(
      boolean matches,
      String summary,
      boolean checksums,
      long sourceRows,
      long targetRows,
      List<String> sequenceProblems,
      List<String> schemaDifferences,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer sequenceProblemCount,
      @JsonInclude(JsonInclude.Include.NON_NULL) Integer schemaDifferenceCount,
      @JsonInclude(JsonInclude.Include.NON_NULL) StoredReport fullReport) {

    /** The summary part of a copy's verification report. */
    public static Restore of(CopyActivities.VerificationReport r) {
      return r == null
          ? null
          : new Restore(
              r.matches(),
              r.summary(),
              r.checksums(),
              r.sourceRows(),
              r.targetRows(),
              r.sequenceProblems(),
              r.schemaDifferences(),
              r.sequenceProblemCount(),
              r.schemaDifferenceCount(),
              r.fullReport());
    }
  }

  /**
   * @param path the dump directory
   * @param takenAt the snapshot time: the backup holds the database as of then
   * @param source the dumped database, {@code user@host:port/database}
   * @param sourceVersion the source server's version
   * @param pgDumpVersion the pg_dump that wrote it
   * @param bytes the dump's size
   * @param tables tables in its manifest
   * @param rows rows in its manifest
   * @param takenNew whether this run took the dump ({@code backup.takeNew})
   * @param kept whether the dump stays after the run (always for {@code backup.path})
   */
  public record Dump(
      String path,
      String takenAt,
      String source,
      String sourceVersion,
      String pgDumpVersion,
      long bytes,
      int tables,
      long rows,
      boolean takenNew,
      boolean kept) {}
}
