package io.signalbox.workflows.backup;

import io.signalbox.workflows.copy.CopyActivities;

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
 * @param dump which dump was verified
 * @param scratch the scratch database, {@code user@host:port/signalbox_verify_…}
 * @param files the dump's files against their recorded sizes and digests
 * @param restore the restored database against the manifest: per table, sequences, schema
 * @param amcheck what pg_amcheck found in the restored database
 */
public record BackupVerificationReport(
    String database,
    boolean passed,
    String summary,
    Double rtoSeconds,
    double maxRestoreSeconds,
    Dump dump,
    String scratch,
    BackupActivities.FilesReport files,
    CopyActivities.VerificationReport restore,
    BackupActivities.AmcheckReport amcheck) {

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
