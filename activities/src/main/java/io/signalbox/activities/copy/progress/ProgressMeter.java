package io.signalbox.activities.copy.progress;

import io.signalbox.workflows.copy.CopyProgress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Turns "this much done of that much" into a {@link CopyProgress}: the rate over the last {@link
 * CopyProgress#RATE_WINDOW_SECONDS} seconds and the time left at that rate. The clock is injected
 * (nanoseconds, as {@link System#nanoTime}), so tests step it by hand. Called from the one thread
 * that heartbeats; not thread-safe.
 */
public final class ProgressMeter {
  private final String phase;
  private final LongSupplier nanos;
  private final long windowNanos;
  private final long startNanos;
  private final Deque<long[]> samples = new ArrayDeque<>(); // {nanos, bytesDone, tablesDone}

  private Long bytesTotal;
  private Integer tablesTotal;

  /**
   * @param phase {@code dump}, {@code restore} or {@code verify}
   * @param nanos a monotonic clock in nanoseconds
   */
  public ProgressMeter(String phase, LongSupplier nanos) {
    this(phase, nanos, TimeUnit.SECONDS.toNanos(CopyProgress.RATE_WINDOW_SECONDS));
  }

  ProgressMeter(String phase, LongSupplier nanos, long windowNanos) {
    this.phase = phase;
    this.nanos = nanos;
    this.windowNanos = windowNanos;
    this.startNanos = nanos.getAsLong();
    samples.add(new long[] {startNanos, 0, 0});
  }

  /** A meter on the JVM's monotonic clock. */
  public static ProgressMeter start(String phase) {
    return new ProgressMeter(phase, System::nanoTime);
  }

  /** Sets the totals (null: unknown). */
  public ProgressMeter totals(Long bytes, Integer tables) {
    this.bytesTotal = bytes;
    this.tablesTotal = tables;
    return this;
  }

  /**
   * Records how far the phase is now and returns the progress to heartbeat.
   *
   * @param stage what the phase is doing
   * @param bytesDone bytes done so far (never less than before: a smaller figure is taken as the
   *     earlier one)
   * @param tablesDone tables done so far
   * @param currentTable the table being worked on, or null
   */
  public CopyProgress update(String stage, long bytesDone, int tablesDone, String currentTable) {
    long now = nanos.getAsLong();
    long[] last = samples.peekLast();
    long bytes = Math.max(bytesDone, last[1]);
    int tables = (int) Math.max(tablesDone, last[2]);
    samples.addLast(new long[] {now, bytes, tables});
    // Keep one sample at or before the window's start, so the rate spans the whole window.
    while (samples.size() > 2 && now - secondOldest() >= windowNanos) {
      samples.removeFirst();
    }
    long[] oldest = samples.peekFirst();
    long spanNanos = now - oldest[0];
    Long rate = null;
    Long eta = null;
    if (spanNanos > 0) {
      double perSecond = (bytes - oldest[1]) * 1e9 / spanNanos;
      double tablesPerSecond = (tables - oldest[2]) * 1e9 / spanNanos;
      rate = Math.round(perSecond);
      if (bytesTotal != null && bytes < bytesTotal && perSecond > 0) {
        eta = (long) Math.ceil((bytesTotal - bytes) / perSecond);
      } else if (bytesTotal == null
          && tablesTotal != null
          && tables < tablesTotal
          && tablesPerSecond > 0) {
        eta = (long) Math.ceil((tablesTotal - tables) / tablesPerSecond);
      } else if (isDone(bytes, tables)) {
        eta = 0L;
      }
    }
    Long shownTotal = bytesTotal == null ? null : Math.max(bytesTotal, bytes);
    Integer shownTables = tablesTotal == null ? null : Math.max(tablesTotal, tables);
    return new CopyProgress(
        phase,
        stage,
        bytes,
        shownTotal,
        tables,
        shownTables,
        rate,
        eta,
        currentTable,
        TimeUnit.NANOSECONDS.toSeconds(now - startNanos));
  }

  private boolean isDone(long bytes, int tables) {
    return (bytesTotal != null && bytes >= bytesTotal)
        || (bytesTotal == null && tablesTotal != null && tables >= tablesTotal);
  }

  private long secondOldest() {
    var it = samples.iterator();
    it.next();
    return it.next()[0];
  }
}
