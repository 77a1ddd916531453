package io.signalbox.worker.cli;

import io.signalbox.workflows.copy.CopyEstimate;
import io.signalbox.workflows.copy.CopyProgress;
import java.util.ArrayList;
import java.util.List;

/**
 * A copy's progress as text: a bar, bytes and tables done of the total, the rate and the time left.
 * Plain ASCII unless asked for block characters (a terminal).
 */
final class ProgressView {
  static final int BAR_WIDTH = 30;

  private ProgressView() {}

  /**
   * The two lines of one running copy step.
   *
   * <pre>
   * copy gitea-2026-copy: dump (data), 12s
   *   [##########--------------------]  35%  670.0 MB of 1.9 GB, 23 of 66 tables, 38.2 MB/s, ETA 33s, public.action
   * </pre>
   *
   * @param run the run the step belongs to (its workflow id)
   * @param p the step's newest heartbeat
   * @param blocks draw the bar with block characters
   */
  static List<String> lines(String run, CopyProgress p, boolean blocks) {
    List<String> lines = new ArrayList<>();
    lines.add(
        run
            + ": "
            + p.phase()
            + (p.stage() != null ? " (" + p.stage() + ")" : "")
            + ", "
            + CopyEstimate.duration(p.elapsedSeconds()));
    lines.add("  " + line(p, blocks));
    return lines;
  }

  /** The bar and the figures on one line. */
  static String line(CopyProgress p, boolean blocks) {
    Integer percent = p.percent();
    StringBuilder s = new StringBuilder();
    s.append(bar(percent, blocks)).append(' ');
    s.append(percent == null ? "   ?" : String.format("%3d%%", percent));
    List<String> parts = new ArrayList<>();
    parts.add(
        CopyEstimate.bytes(p.bytesDone())
            + (p.bytesTotal() != null ? " of " + CopyEstimate.bytes(p.bytesTotal()) : ""));
    parts.add(
        p.tablesDone() + (p.tablesTotal() != null ? " of " + p.tablesTotal() : "") + " tables");
    parts.add(
        p.bytesPerSecond() == null ? "rate -" : CopyEstimate.bytes(p.bytesPerSecond()) + "/s");
    parts.add("ETA " + (p.etaSeconds() == null ? "-" : CopyEstimate.duration(p.etaSeconds())));
    if (p.currentTable() != null) {
      parts.add(p.currentTable());
    }
    s.append("  ").append(String.join(blocks ? " · " : ", ", parts));
    return s.toString();
  }

  static String bar(Integer percent, boolean blocks) {
    int filled = percent == null ? 0 : Math.min(BAR_WIDTH, percent * BAR_WIDTH / 100);
    String on = blocks ? "█" : "#";
    String off = blocks ? "░" : "-";
    return "[" + on.repeat(filled) + off.repeat(BAR_WIDTH - filled) + "]";
  }
}
