package io.signalbox.workflows.copy;

import java.util.List;

/**
 * {@code manifest.json} of a dump directory: what was dumped, from where, as of which snapshot, and
 * the numbers a restore is verified against. The row counts and checksums were read in the same
 * snapshot that {@code pg_dump --snapshot} dumped, so they describe exactly the dumped data even
 * when the source was live. Never holds a password.
 *
 * @param formatVersion the manifest format, {@link #FORMAT_VERSION}
 * @param copyId the copy (or backup) this dump belongs to
 * @param source where the dump came from
 * @param serverVersionNum the source's {@code server_version_num}, e.g. 150008
 * @param serverVersion the source's {@code server_version}
 * @param pgDumpVersion {@code pg_dump --version} of the tool that dumped it
 * @param snapshotId the exported snapshot {@code pg_dump --snapshot} used
 * @param snapshotTime when the snapshot was exported (ISO-8601, server clock)
 * @param format the pg_dump format, {@code directory}
 * @param jobs pg_dump's {@code -j}
 * @param compression pg_dump's {@code -Z} level (0: none)
 * @param tables per-table row counts (and checksums when {@code checksums}) in the snapshot
 * @param checksums whether {@code tables} carry content checksums
 * @param sequences every sequence's position in the snapshot
 * @param inventory the schema inventory in the snapshot
 * @param databaseBytes {@code pg_database_size} of the source when dumped
 * @param dumpBytes the size of the dump directory's files (the manifest not included)
 * @param dumpMillis how long pg_dump ran
 * @param createdAt when the manifest was written (ISO-8601, worker clock)
 * @param files every file of the dump directory but the manifest, with its size and SHA-256, so a
 *     damaged, truncated or missing file is named before a restore; null in dumps written before
 *     the digests were recorded
 */
public record DumpManifest(
    int formatVersion,
    String copyId,
    Source source,
    int serverVersionNum,
    String serverVersion,
    String pgDumpVersion,
    String snapshotId,
    String snapshotTime,
    String format,
    int jobs,
    int compression,
    List<TableStats> tables,
    boolean checksums,
    List<SequenceState> sequences,
    SchemaInventory inventory,
    long databaseBytes,
    long dumpBytes,
    long dumpMillis,
    String createdAt,
    List<DumpFile> files) {

  /** A manifest without file digests, as dumps were written before them. */
  public DumpManifest(
      int formatVersion,
      String copyId,
      Source source,
      int serverVersionNum,
      String serverVersion,
      String pgDumpVersion,
      String snapshotId,
      String snapshotTime,
      String format,
      int jobs,
      int compression,
      List<TableStats> tables,
      boolean checksums,
      List<SequenceState> sequences,
      SchemaInventory inventory,
      long databaseBytes,
      long dumpBytes,
      long dumpMillis,
      String createdAt) {
    this(
        formatVersion,
        copyId,
        source,
        serverVersionNum,
        serverVersion,
        pgDumpVersion,
        snapshotId,
        snapshotTime,
        format,
        jobs,
        compression,
        tables,
        checksums,
        sequences,
        inventory,
        databaseBytes,
        dumpBytes,
        dumpMillis,
        createdAt,
        null);
  }

  /** The same manifest with the digests of the dump's files. */
  public DumpManifest withFiles(List<DumpFile> dumpFiles) {
    return new DumpManifest(
        formatVersion,
        copyId,
        source,
        serverVersionNum,
        serverVersion,
        pgDumpVersion,
        snapshotId,
        snapshotTime,
        format,
        jobs,
        compression,
        tables,
        checksums,
        sequences,
        inventory,
        databaseBytes,
        dumpBytes,
        dumpMillis,
        createdAt,
        dumpFiles);
  }

  /**
   * One file of the dump directory as it was written.
   *
   * @param name the file name inside the dump directory, e.g. {@code 3581.dat} or {@code toc.dat}
   * @param bytes its size
   * @param sha256 its SHA-256, lower-case hex
   */
  public record DumpFile(String name, long bytes, String sha256) {}

  /** The file name inside the dump directory. */
  public static final String FILE_NAME = "manifest.json";

  /** The format written by this version. */
  public static final int FORMAT_VERSION = 1;

  /**
   * The identity of the dumped database; no password.
   *
   * @param host host name or address
   * @param port port
   * @param database database name
   * @param user role that dumped it
   */
  public record Source(String host, int port, String database, String user) {}

  /** The counts and checksums as a {@link TableStatsResult}, to compare with a target's. */
  public TableStatsResult tableStats() {
    return new TableStatsResult(tables, snapshotId, checksums);
  }

  /** Rows over all tables. */
  public long totalRows() {
    return tables == null ? 0 : tables.stream().mapToLong(TableStats::rows).sum();
  }
}
