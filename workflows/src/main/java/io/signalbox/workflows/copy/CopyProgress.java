package io.signalbox.workflows.copy;

/**
 * How far a copy's long step is: the heartbeat details of the dump, restore and verify activities.
 * Temporal keeps the newest heartbeat of a running activity and shows it as the pending activity's
 * details ({@code DescribeWorkflowExecution}: {@code pendingActivities[].heartbeatDetails}), which
 * is where {@code signalbox status} and the Temporal UI read it: no signal or history event per
 * tick.
 *
 * @param phase {@code dump}, {@code restore} or {@code verify}
 * @param stage what the phase is doing now, e.g. {@code data}, {@code indexes and constraints},
 *     {@code counts and manifest}
 * @param bytesDone bytes done: written to the dump directory (dump), of the data files whose load
 *     finished (restore), of the tables checked (verify)
 * @param bytesTotal the bytes the phase will have done at its end, null when unknown; for the dump
 *     an estimate (the source tables' size), raised to {@code bytesDone} when passed
 * @param tablesDone tables done
 * @param tablesTotal tables in all, null when unknown
 * @param bytesPerSecond the rate over the last {@link #RATE_WINDOW_SECONDS} seconds, null before
 *     there is one
 * @param etaSeconds seconds left at that rate, null when unknown
 * @param currentTable the table being worked on (the last one started), null when none
 * @param elapsedSeconds seconds since the phase started
 */
public record CopyProgress(
    String phase,
    String stage,
    long bytesDone,
    Long bytesTotal,
    int tablesDone,
    Integer tablesTotal,
    Long bytesPerSecond,
    Long etaSeconds,
    String currentTable,
    long elapsedSeconds) {

  /** The rate is measured over this many seconds. */
  public static final int RATE_WINDOW_SECONDS = 30;

  /** Done out of the total in percent (0 to 100), bytes if known, else tables; null if neither. */
  public Integer percent() {
    if (bytesTotal != null && bytesTotal > 0) {
      return (int) Math.min(100, Math.max(0, bytesDone * 100 / bytesTotal));
    }
    if (tablesTotal != null && tablesTotal > 0) {
      return Math.min(100, Math.max(0, tablesDone * 100 / tablesTotal));
    }
    return null;
  }
}
