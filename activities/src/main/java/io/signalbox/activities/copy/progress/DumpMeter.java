package io.signalbox.activities.copy.progress;

import io.signalbox.workflows.copy.CopyProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The dump's progress. The total is an estimate of the COPY text pg_dump will write, read before it
 * starts ({@code Inspector.copyTextEstimates}: rows times the columns' average width from the
 * planner's statistics, else the table's size); once pg_dump has ended it is what was written. Done
 * is the bytes pg_dump has written so far. pg_dump creates a table's data file when it starts that
 * table, and at most {@code jobs} tables are open at once, so the tables done are at least the data
 * files present less {@code jobs}.
 *
 * <p>pg_dump's own progress comes from {@code SnapshotDump} every few seconds; once pg_dump has
 * ended it repeats the same figures (same elapsed time) while the snapshot's counts and the
 * manifest finish, which is shown as that stage.
 */
public final class DumpMeter {
  private static final Pattern DATA_FILE = Pattern.compile("\\d+\\.dat(\\.(gz|lz4|zst))?");

  private final ProgressMeter meter;
  private final Path dir;
  private final int jobs;
  private final int tablesTotal;
  private long lastElapsed = -1;
  private long lastBytes = -1;

  /**
   * @param meter a meter for phase {@code dump}
   * @param tableSizes the source's tables and their sizes
   * @param dir the dump directory pg_dump writes
   * @param jobs pg_dump's {@code -j}
   * @param compressed whether pg_dump compresses (then the bytes total is unknown)
   */
  public DumpMeter(
      ProgressMeter meter, Map<String, Long> tableSizes, Path dir, int jobs, boolean compressed) {
    this.meter = meter;
    this.dir = dir;
    this.jobs = Math.max(1, jobs);
    this.tablesTotal = tableSizes.size();
    long bytes = tableSizes.values().stream().mapToLong(Long::longValue).sum();
    meter.totals(compressed || tableSizes.isEmpty() ? null : bytes, tablesTotal);
  }

  /** Before pg_dump starts. */
  public CopyProgress started() {
    return meter.update("data", 0, 0, null);
  }

  /**
   * pg_dump's figures: bytes written so far and its elapsed time.
   *
   * @param bytes bytes in the dump directory
   * @param elapsedMillis pg_dump's elapsed time; the same figure again means pg_dump has ended
   */
  public CopyProgress dumped(long bytes, long elapsedMillis) {
    boolean ended = elapsedMillis == lastElapsed && bytes == lastBytes;
    lastElapsed = elapsedMillis;
    lastBytes = bytes;
    if (ended) {
      meter.totals(bytes, tablesTotal);
      return meter.update("counts, checksums and manifest", bytes, tablesTotal, null);
    }
    int files = dataFiles();
    return meter.update("data", bytes, Math.max(0, files - jobs), null);
  }

  /** The dump is complete: everything written. */
  public CopyProgress finished(long bytes) {
    meter.totals(bytes, tablesTotal);
    return meter.update("done", bytes, tablesTotal, null);
  }

  private int dataFiles() {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return (int) s.filter(p -> DATA_FILE.matcher(p.getFileName().toString()).matches()).count();
    } catch (IOException e) {
      return 0; // pg_dump may be creating files while we look: progress only
    }
  }
}
