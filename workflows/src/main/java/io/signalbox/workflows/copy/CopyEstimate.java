package io.signalbox.workflows.copy;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The expected wall time of a copy (dump, restore and verify), from the source's size and a rate
 * measured on this worker, for a gate's report. Pure arithmetic, safe in workflow code.
 *
 * @param expectedSeconds the expected copy time
 * @param sizeBytes the source's size the estimate is for
 * @param bytesPerSecond the measured rate, in source bytes per second of copy time
 * @param basis where the rate comes from, for people
 * @param text one line: the figure, its inputs and its basis
 */
public record CopyEstimate(
    long expectedSeconds, long sizeBytes, double bytesPerSecond, String basis, String text) {

  /**
   * Restore plus verify take about this many times the dump's time: 8.31 + 3.01 = 11.32 s against
   * 4.40 s for the 1.9 GB benchmark database on 2 CPUs, checksums on ({@code docs/benchmarks.md},
   * latest figures: since the source's checksums come from the dump's own files, the dump is short
   * and the target read is all in verify). Used only when the dump alone was measured on this
   * worker.
   */
  public static final double RESTORE_AND_VERIFY_PER_DUMP = 2.6;

  /**
   * From a dump measured on this worker (e.g. the safety backup): the dump's rate over the
   * database's size, and restore and verify at {@link #RESTORE_AND_VERIFY_PER_DUMP} times the dump.
   *
   * @param sizeBytes the source's size now ({@code pg_database_size})
   * @param measuredSizeBytes the source's size when the dump ran
   * @param dumpMillis how long that dump took
   * @param measuredBy what the dump was, e.g. "the safety backup's dump"
   * @return null when nothing usable was measured
   */
  public static CopyEstimate fromDump(
      long sizeBytes, long measuredSizeBytes, long dumpMillis, String measuredBy) {
    if (measuredSizeBytes <= 0 || dumpMillis <= 0) {
      return null;
    }
    double dumpRate = measuredSizeBytes * 1000.0 / dumpMillis;
    double dumpSeconds = sizeBytes / dumpRate;
    long expected = Math.round(dumpSeconds * (1 + RESTORE_AND_VERIFY_PER_DUMP));
    double copyRate = expected <= 0 ? dumpRate : sizeBytes / (double) expected;
    String basis =
        measuredBy
            + " ("
            + bytes(measuredSizeBytes)
            + " dumped at "
            + bytes(Math.round(dumpRate))
            + "/s on this worker); restore and verify taken as "
            + RESTORE_AND_VERIFY_PER_DUMP
            + " × the dump, as in docs/benchmarks.md";
    return new CopyEstimate(
        expected,
        sizeBytes,
        copyRate,
        basis,
        "expected copy time ≈ "
            + duration(expected)
            + " from "
            + bytes(sizeBytes)
            + ": dump ≈ "
            + duration(Math.round(dumpSeconds))
            + " at the rate measured by "
            + basis);
  }

  /**
   * From a whole copy measured on this worker (e.g. a rehearsal): its rate over the database's
   * size.
   *
   * @param sizeBytes the source's size now
   * @param measuredSizeBytes the source's size when that copy ran
   * @param copyMillis how long that copy took (dump, restore and verify)
   * @param measuredBy what the copy was, e.g. "the rehearsal copy"
   * @return null when nothing usable was measured
   */
  public static CopyEstimate fromCopy(
      long sizeBytes, long measuredSizeBytes, long copyMillis, String measuredBy) {
    if (measuredSizeBytes <= 0 || copyMillis <= 0) {
      return null;
    }
    double rate = measuredSizeBytes * 1000.0 / copyMillis;
    long expected = Math.round(sizeBytes / rate);
    String basis = measuredBy + " (dump, restore and verify on this worker)";
    return new CopyEstimate(
        expected,
        sizeBytes,
        rate,
        basis,
        "expected copy time ≈ "
            + duration(expected)
            + " from "
            + bytes(sizeBytes)
            + " at "
            + bytes(Math.round(rate))
            + "/s measured by "
            + basis);
  }

  /** The fields a gate's report carries. */
  public Map<String, Object> report() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("expectedSeconds", expectedSeconds);
    m.put("sizeBytes", sizeBytes);
    m.put("bytesPerSecond", Math.round(bytesPerSecond));
    m.put("basis", basis);
    m.put("text", text);
    return m;
  }

  /** {@code 4m10s}, {@code 1h02m}, {@code 45s}. */
  public static String duration(long seconds) {
    if (seconds < 60) {
      return Math.max(0, seconds) + "s";
    }
    if (seconds < 3600) {
      return (seconds / 60) + "m" + String.format("%02d", seconds % 60) + "s";
    }
    return (seconds / 3600) + "h" + String.format("%02d", (seconds % 3600) / 60) + "m";
  }

  /** {@code 1.9 GB}, {@code 7.8 MB}, {@code 512 B}: powers of 1000, one decimal. */
  public static String bytes(long n) {
    if (n < 1000) {
      return n + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB", "PB"};
    double v = n;
    int u = -1;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
