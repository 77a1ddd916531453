package io.signalbox.workflows.copy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The expected copy time a freeze gate shows, and how figures are written for people. */
class CopyEstimateTest {

  @Test
  void fromADumpTheCopyIsTheDumpPlusRestoreAndVerifyAtTheBenchmarksRatio() {
    // 1.9 GB dumped in 86 s: 22.1 MB/s; the copy ≈ 86 s × 3.6 = 310 s.
    CopyEstimate e =
        CopyEstimate.fromDump(1_900_000_000L, 1_900_000_000L, 86_000, "the safety backup's dump");
    assertThat(e.expectedSeconds()).isEqualTo(Math.round(86 * 3.6));
    assertThat(e.text())
        .isEqualTo(
            "expected copy time ≈ 5m10s from 1.9 GB: dump ≈ 1m26s at the rate measured by the"
                + " safety backup's dump (1.9 GB dumped at 22.1 MB/s on this worker); restore and"
                + " verify taken as 2.6 × the dump, as in docs/benchmarks.md");
    assertThat(e.report()).containsEntry("expectedSeconds", 310L).containsKey("basis");
  }

  @Test
  void fromACopyTheRateScalesToTheSizeNow() {
    // A rehearsal copied 1 GB in 100 s; the source has grown to 1.5 GB since.
    CopyEstimate e =
        CopyEstimate.fromCopy(1_500_000_000L, 1_000_000_000L, 100_000, "the rehearsal copy");
    assertThat(e.expectedSeconds()).isEqualTo(150);
    assertThat(e.text())
        .isEqualTo(
            "expected copy time ≈ 2m30s from 1.5 GB at 10.0 MB/s measured by the rehearsal copy"
                + " (dump, restore and verify on this worker)");
  }

  @Test
  void nothingMeasuredGivesNoEstimate() {
    assertThat(CopyEstimate.fromDump(1000, 1000, 0, "x")).isNull();
    assertThat(CopyEstimate.fromCopy(1000, 0, 1000, "x")).isNull();
  }

  @Test
  void durationsAndSizesForPeople() {
    assertThat(CopyEstimate.duration(45)).isEqualTo("45s");
    assertThat(CopyEstimate.duration(250)).isEqualTo("4m10s");
    assertThat(CopyEstimate.duration(3720)).isEqualTo("1h02m");
    assertThat(CopyEstimate.bytes(512)).isEqualTo("512 B");
    assertThat(CopyEstimate.bytes(7_800_000)).isEqualTo("7.8 MB");
    assertThat(CopyEstimate.bytes(1_933_000_000L)).isEqualTo("1.9 GB");
  }

  @Test
  void percentIsOfBytesWhenKnownElseOfTables() {
    assertThat(new CopyProgress("dump", null, 50, 200L, 0, 4, null, null, null, 0).percent())
        .isEqualTo(25);
    assertThat(new CopyProgress("verify", null, 0, null, 3, 4, null, null, null, 0).percent())
        .isEqualTo(75);
    assertThat(new CopyProgress("verify", null, 0, null, 0, null, null, null, null, 0).percent())
        .isNull();
  }
}
