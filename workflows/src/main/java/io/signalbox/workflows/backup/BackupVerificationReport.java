package io.signalbox.workflows.backup;

import io.signalbox.workflows.copy.CopyActivities;
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
 * @param tables the restored database against the manifest, one row per table (mismatches first):
 *     the evidence report shows them as a table
 * @param dump which dump was verified
 * @param scratch the scratch database, {@code user@host:port/signalbox_verify_…}
 * @param files the dump's files against their recorded sizes and digests
 * @param restore the rest of that comparison: totals, sequences, schema
 * @param amcheck what pg_amcheck found in the restored database
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
    BackupActivities.AmcheckReport amcheck) {

  /**
   * The restored database against the manifest, without the per-table rows ({@code tables}).
   *
   * @param matches whether tables, sequences and schema all match
   * @param summary one line for people
   * @param checksums whether content checksums were compared
   * @param sourceRows rows in the manifest
   * @param targetRows rows restored
   * @param sequenceProblems sequences behind where the dump had them
   * @param schemaDifferences schema objects that differ
   */
  public record Restore(
      boolean matches,
      String summary,
      boolean checksums,
      long sourceRows,
      long targetRows,
      List<String> sequenceProblems,
      List<String> schemaDifferences) {

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
              r.schemaDifferences());
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
