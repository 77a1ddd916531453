package io.signalbox.activities.copy.progress;

import io.signalbox.workflows.copy.CopyProgress;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The verification's progress: the target's tables counted (and checksummed) out of all, and their
 * size ({@code pg_table_size}, what the scan reads) out of the whole. Fed from the table scanner's
 * progress on the activity's thread.
 */
public final class VerifyMeter {
  private final ProgressMeter meter;
  private final Map<String, Long> sizes;
  private final Set<String> done = new HashSet<>();
  private final String scanning;
  private long bytesDone;

  /**
   * @param meter a meter for phase {@code verify}
   * @param tableSizes the target's tables (quoted names, as the scanner reports them) and sizes
   * @param checksums whether the scan computes content checksums too
   */
  public VerifyMeter(ProgressMeter meter, Map<String, Long> tableSizes, boolean checksums) {
    this.meter = meter;
    this.sizes = tableSizes;
    this.scanning = checksums ? "row counts and content checksums" : "row counts";
    meter.totals(
        tableSizes.isEmpty() ? null : tableSizes.values().stream().mapToLong(Long::longValue).sum(),
        tableSizes.isEmpty() ? null : tableSizes.size());
  }

  /** One table checked. */
  public void tableDone(String table) {
    if (done.add(table)) {
      bytesDone += sizes.getOrDefault(table, 0L);
    }
  }

  /** The progress now, with the scanner's own count of tables done. */
  public CopyProgress progress(int tablesDone, int tablesTotal) {
    if (tablesTotal != sizes.size()) {
      // The scanner found other tables than the size query: count tables only.
      meter.totals(null, tablesTotal);
    }
    return meter.update(
        tablesDone >= tablesTotal ? "sequences and schema" : scanning, bytesDone, tablesDone, null);
  }
}
