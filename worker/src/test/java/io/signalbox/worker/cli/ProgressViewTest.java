package io.signalbox.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.workflows.copy.CopyProgress;
import org.junit.jupiter.api.Test;

/** How a copy's progress is drawn. */
class ProgressViewTest {

  @Test
  void aRunningRestoreWithItsTotalsRateAndTable() {
    CopyProgress p =
        new CopyProgress(
            "restore",
            "data",
            655_900_000L,
            1_329_000_000L,
            0,
            8,
            88_100_000L,
            8L,
            "public.action_archive",
            7);
    assertThat(ProgressView.lines("demo-migration-copy", p, false))
        .containsExactly(
            "demo-migration-copy: restore (data), 7s",
            "  [##############----------------]  49%  655.9 MB of 1.3 GB, 0 of 8 tables, 88.1 MB/s,"
                + " ETA 8s, public.action_archive");
    assertThat(ProgressView.line(p, true))
        .startsWith("[██████████████░░░░░░░░░░░░░░░░]  49%  655.9 MB of 1.3 GB · 0 of 8 tables");
  }

  @Test
  void unknownTotalsAndRateAreShownAsUnknown() {
    CopyProgress p = new CopyProgress("dump", "data", 0, null, 0, null, null, null, null, 0);
    assertThat(ProgressView.line(p, false))
        .isEqualTo("[------------------------------]    ?  0 B, 0 tables, rate -, ETA -");
  }

  @Test
  void theBarIsFullAtOneHundredPercentAndNeverLonger() {
    assertThat(ProgressView.bar(100, false)).isEqualTo("[" + "#".repeat(30) + "]");
    assertThat(ProgressView.bar(0, false)).isEqualTo("[" + "-".repeat(30) + "]");
    assertThat(ProgressView.bar(null, false)).hasSize(32);
  }
}
