package io.signalbox.activities.copy.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.workflows.copy.CopyProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate, ETA and the phases' meters on a clock the test steps by hand. */
class ProgressMeterTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @TempDir Path dir;

  private void advance(long seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }

  @Test
  void rateIsOverTheLastThirtySecondsAndEtaIsWhatIsLeftAtThatRate() {
    ProgressMeter meter = new ProgressMeter("dump", now::get).totals(1_000_000L, 10);
    advance(10);
    CopyProgress p = meter.update("data", 100_000, 1, "public.a");
    assertThat(p.bytesPerSecond()).isEqualTo(10_000);
    assertThat(p.etaSeconds()).isEqualTo(90); // 900 kB left at 10 kB/s
    assertThat(p.percent()).isEqualTo(10);
    assertThat(p.elapsedSeconds()).isEqualTo(10);
    assertThat(p.currentTable()).isEqualTo("public.a");

    // Slow for a long while, then fast: the rate follows the last 30 s, not the average.
    for (int i = 0; i < 6; i++) {
      advance(10);
      meter.update("data", 100_000 + (i + 1) * 1_000L, 1, null);
    }
    advance(10);
    p = meter.update("data", 406_000, 2, null); // +300 kB in the last 10 s
    // Window: the sample 30 s ago (104 kB) to now (406 kB): 302 kB in 30 s.
    assertThat(p.bytesPerSecond()).isEqualTo(10_067);
    assertThat(p.etaSeconds()).isEqualTo((long) Math.ceil(594_000 / (302_000 / 30.0)));
    assertThat(p.elapsedSeconds()).isEqualTo(80);
  }

  @Test
  void noRateBeforeTimePassesAndDoneNeverGoesBack() {
    ProgressMeter meter = new ProgressMeter("restore", now::get).totals(1000L, 2);
    CopyProgress first = meter.update("data", 0, 0, null);
    assertThat(first.bytesPerSecond()).isNull();
    assertThat(first.etaSeconds()).isNull();
    advance(1);
    meter.update("data", 500, 1, null);
    advance(1);
    CopyProgress later = meter.update("data", 400, 0, null);
    assertThat(later.bytesDone()).isEqualTo(500);
    assertThat(later.tablesDone()).isEqualTo(1);
  }

  @Test
  void withoutBytesTheEtaComesFromTablesAndAnEstimatePassedIsRaised() {
    ProgressMeter tables = new ProgressMeter("verify", now::get).totals(null, 10);
    advance(20);
    CopyProgress p = tables.update("row counts", 0, 4, null);
    assertThat(p.etaSeconds()).isEqualTo(30); // 6 tables at 0.2 a second
    assertThat(p.percent()).isEqualTo(40);

    ProgressMeter estimate = new ProgressMeter("dump", now::get).totals(1000L, 1);
    advance(1);
    CopyProgress passed = estimate.update("data", 1500, 0, null);
    assertThat(passed.bytesTotal()).isEqualTo(1500);
    assertThat(passed.percent()).isEqualTo(100);
  }

  @Test
  void dumpCountsOpenDataFilesAsNotDoneAndSeesPgDumpEnd() throws Exception {
    DumpMeter meter =
        new DumpMeter(
            new ProgressMeter("dump", now::get),
            Map.of("public.a", 600L, "public.b", 300L, "public.c", 100L),
            dir,
            2,
            false);
    CopyProgress start = meter.started();
    assertThat(start.bytesTotal()).isEqualTo(1000);
    assertThat(start.tablesTotal()).isEqualTo(3);
    Files.writeString(dir.resolve("3001.dat"), "x".repeat(500));
    Files.writeString(dir.resolve("3002.dat"), "x".repeat(100));
    Files.writeString(dir.resolve("3003.dat"), "x".repeat(10));
    advance(2);
    CopyProgress running = meter.dumped(610, 2000);
    assertThat(running.tablesDone()).isEqualTo(1); // 3 files, 2 of them may still be written
    assertThat(running.stage()).isEqualTo("data");
    advance(2);
    meter.dumped(900, 4000);
    advance(5);
    CopyProgress ended = meter.dumped(900, 4000); // SnapshotDump repeats pg_dump's last figures
    assertThat(ended.stage()).isEqualTo("counts, checksums and manifest");
    assertThat(ended.bytesTotal()).isEqualTo(900);
    assertThat(ended.tablesDone()).isEqualTo(3);
    assertThat(meter.dumped(900, 4000).percent()).isEqualTo(100);
  }

  @Test
  void parallelRestoreCountsATableWhenPgRestoreSaysItFinished() throws Exception {
    Files.writeString(dir.resolve("3401.dat"), "x".repeat(700));
    Files.writeString(dir.resolve("3402.dat"), "x".repeat(300));
    RestoreMeter meter = new RestoreMeter(new ProgressMeter("restore", now::get), dir, true);
    meter.tocLine(";     Dump Version: 1.14-0");
    meter.tocLine("3401; 0 16390 TABLE DATA public orders postgres");
    meter.tocLine("3402; 0 16395 TABLE DATA public order items postgres");
    meter.tocLine("3403; 2606 16400 CONSTRAINT public orders orders_pkey postgres");
    meter.outputLine("pg_restore: processing data for table \"public.orders\"");
    meter.outputLine("pg_restore: processing data for table \"public.order items\"");
    advance(1);
    CopyProgress loading = meter.progress();
    assertThat(loading.bytesTotal()).isEqualTo(1000);
    assertThat(loading.tablesTotal()).isEqualTo(2);
    assertThat(loading.bytesDone()).isZero();
    assertThat(loading.currentTable()).isEqualTo("public.order items");
    meter.outputLine("pg_restore: finished item 3402 TABLE DATA order items");
    advance(1);
    CopyProgress one = meter.progress();
    assertThat(one.bytesDone()).isEqualTo(300);
    assertThat(one.tablesDone()).isEqualTo(1);
    meter.outputLine("pg_restore: finished item 3401 TABLE DATA orders");
    advance(1);
    CopyProgress indexes = meter.progress();
    assertThat(indexes.stage()).isEqualTo("indexes and constraints");
    assertThat(indexes.percent()).isEqualTo(100);
  }

  @Test
  void serialRestoreCountsATableDoneWhenTheNextItemStarts() throws Exception {
    Files.writeString(dir.resolve("10.dat"), "x".repeat(100));
    Files.writeString(dir.resolve("11.dat"), "x".repeat(100));
    RestoreMeter meter = new RestoreMeter(new ProgressMeter("restore", now::get), dir, false);
    meter.tocLine("10; 0 1 TABLE DATA public a postgres");
    meter.tocLine("11; 0 2 TABLE DATA public b postgres");
    meter.outputLine("pg_restore: processing data for table \"public.a\"");
    assertThat(meter.progress().tablesDone()).isZero();
    meter.outputLine("pg_restore: processing data for table \"public.b\"");
    assertThat(meter.progress().bytesDone()).isEqualTo(100);
    meter.outputLine("pg_restore: creating INDEX \"public.b_idx\"");
    assertThat(meter.progress().tablesDone()).isEqualTo(2);
    assertThat(meter.finished().stage()).isEqualTo("done");
  }

  @Test
  void verifyAddsEachCheckedTablesSize() {
    VerifyMeter meter =
        new VerifyMeter(
            new ProgressMeter("verify", now::get),
            Map.of("public.a", 800L, "public.b", 200L),
            true);
    advance(2);
    meter.tableDone("public.a");
    CopyProgress p = meter.progress(1, 2);
    assertThat(p.bytesDone()).isEqualTo(800);
    assertThat(p.bytesPerSecond()).isEqualTo(400);
    assertThat(p.etaSeconds()).isEqualTo(1);
    assertThat(p.stage()).isEqualTo("row counts and content checksums");
    meter.tableDone("public.b");
    assertThat(meter.progress(2, 2).stage()).isEqualTo("sequences and schema");
  }
}
