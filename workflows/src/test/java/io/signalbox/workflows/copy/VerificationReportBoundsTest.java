package io.signalbox.workflows.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.copy.CopyActivities.TableCheck;
import io.signalbox.workflows.copy.CopyActivities.VerificationReport;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.StoredReport;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The bounded verification report that travels through workflow history. */
class VerificationReportBoundsTest {

  private static final StoredReport REF =
      new StoredReport("copy-1", "run-1", "verify-7", "ab".repeat(32), "database");

  /** {@code bad} mismatching tables first, then ok ones, as the verification sorts them. */
  private static VerificationReport report(int tables, int bad, int sequences, int schema) {
    List<TableCheck> rows = new ArrayList<>();
    for (int i = 0; i < tables; i++) {
      boolean ok = i >= bad;
      rows.add(
          new TableCheck(
              "public.t" + i, 1L, ok ? 1L : 2L, "a", "a", ok, ok ? null : "row count 1 != 2"));
    }
    return new VerificationReport(
        bad == 0 && sequences == 0 && schema == 0,
        "the summary",
        true,
        tables,
        tables + bad,
        rows,
        IntStream.range(0, sequences).mapToObj(i -> "public.s" + i + " behind").toList(),
        IntStream.range(0, schema).mapToObj(i -> "index public.i" + i + " missing").toList());
  }

  @Test
  void keepsTheFirstRowsOfEachListAndCountsAll() {
    VerificationReport b = report(5000, 30, 25, 3).bounded(20, REF);

    assertThat(b.tables()).hasSize(20).allMatch(t -> !t.ok());
    assertThat(b.tables().get(0).table()).isEqualTo("public.t0");
    assertThat(b.tableCount()).isEqualTo(5000);
    assertThat(b.mismatchCount()).isEqualTo(30);
    assertThat(b.moreTables()).isEqualTo(4980);
    assertThat(b.sequenceProblems()).hasSize(21).last().isEqualTo("... and 5 more");
    assertThat(b.sequenceProblemCount()).isEqualTo(25);
    assertThat(b.schemaDifferences()).hasSize(3).doesNotContain("... and 0 more");
    assertThat(b.schemaDifferenceCount()).isEqualTo(3);
    assertThat(b.fullReport()).isEqualTo(REF);
    assertThat(b.summary()).isEqualTo("the summary; full report: signalbox evidence copy-1/run-1");
    assertThat(b.tablesTotal()).isEqualTo(5000);
    assertThat(b.mismatchesTotal()).isEqualTo(30);
  }

  @Test
  void aSmallReportKeepsEveryRow() {
    VerificationReport whole = report(3, 0, 0, 0);
    VerificationReport b = whole.bounded(20, REF);

    assertThat(b.tables()).isEqualTo(whole.tables());
    assertThat(b.moreTables()).isZero();
    assertThat(b.sequenceProblems()).isEmpty();
    assertThat(b.matches()).isTrue();
  }

  @Test
  void oneMismatchAmongFiveThousandComesFirstAndIsNamed() {
    List<TableCheck> rows = new ArrayList<>(report(5000, 0, 0, 0).tables());
    rows.set(
        4321, new TableCheck("public.t4321", 1L, 1L, "a", "b", false, "content checksum differs"));
    rows.sort(java.util.Comparator.comparing(TableCheck::ok).thenComparing(TableCheck::table));
    VerificationReport whole =
        new VerificationReport(
            false, "1 of 5000 tables differ", true, 5000, 5000, rows, List.of(), List.of());

    VerificationReport b = whole.bounded(VerificationReport.SUMMARY_ITEMS, REF);

    assertThat(b.tables().get(0).table()).isEqualTo("public.t4321");
    assertThat(b.mismatchingTables()).containsExactly("public.t4321");
    assertThat(b.describeMismatches(VerificationReport.SUMMARY_ITEMS))
        .isEqualTo("; public.t4321: content checksum differs");
  }

  @Test
  void staysSmallHoweverManyTables() {
    VerificationReport b = report(50_000, 50_000, 10_000, 10_000).bounded(20, REF);

    int bytes = Json.tree(b).toString().length();
    assertThat(bytes).isLessThan(10 * 1024);
  }

  @Test
  void describesAtMostTheLimitAndSaysHowManyMore() {
    VerificationReport whole = report(100, 30, 25, 0);

    String bounded = whole.bounded(20, REF).describeMismatches(5);
    String fromWhole = whole.describeMismatches(5);

    assertThat(bounded)
        .startsWith("; public.t0: row count 1 != 2; public.t1:")
        .contains("; ... and 25 more mismatching tables")
        .contains("; sequence public.s4 behind; ... and 20 more sequence")
        .doesNotContain("public.t5:")
        .doesNotContain("public.s5 ");
    assertThat(fromWhole).isEqualTo(bounded);
  }

  @Test
  void aReportRecordedBeforeBoundingStillReads() throws Exception {
    // As a verify activity's result was recorded before these fields existed.
    JsonNode old =
        Json.mapper()
            .readTree(
                """
                {"matches": true, "summary": "1 tables and 5 rows match", "checksums": true,
                 "sourceRows": 5, "targetRows": 5,
                 "tables": [{"table": "public.t", "sourceRows": 5, "targetRows": 5,
                             "sourceChecksum": "1", "targetChecksum": "1", "ok": true}],
                 "sequenceProblems": [], "schemaDifferences": []}
                """);

    VerificationReport r = Json.map(old, VerificationReport.class);

    assertThat(r.fullReport()).isNull();
    assertThat(r.tableCount()).isNull();
    assertThat(r.tablesTotal()).isEqualTo(1);
    assertThat(Json.tree(r).toString()).isEqualTo(old.toString());
  }

  @Test
  void refusesAnEmptyBound() {
    assertThatThrownBy(() -> report(1, 0, 0, 0).bounded(0, REF))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
