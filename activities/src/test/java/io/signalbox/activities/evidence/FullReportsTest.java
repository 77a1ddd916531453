package io.signalbox.activities.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.copy.CopyActivities.TableCheck;
import io.signalbox.workflows.copy.CopyActivities.VerificationReport;
import io.signalbox.workflows.core.EvidenceActivities.EvidenceInput;
import io.signalbox.workflows.core.EvidenceActivities.EvidenceRef;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.StoredReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without a database (the dev profile) a whole report is a file under the evidence directory; the
 * evidence recorder finds it by its reference, checks its digest and shows every row, and says so
 * plainly when the file is missing or was changed.
 */
class FullReportsTest {
  @TempDir Path dir;

  private static VerificationReport whole(int tables) {
    List<TableCheck> rows = new ArrayList<>();
    rows.add(new TableCheck("public.bad", 1L, 1L, "a", "b", false, "content checksum differs"));
    for (int i = 1; i < tables; i++) {
      rows.add(new TableCheck("public.t" + i, 1L, 1L, "a", "a", true, null));
    }
    return new VerificationReport(
        false,
        "1 of " + tables + " tables differ",
        true,
        tables,
        tables,
        rows,
        List.of(),
        List.of());
  }

  private EvidenceRef record(ReportStore store, VerificationReport bounded) {
    return new EvidenceActivitiesImpl(null, dir, store)
        .record(
            new EvidenceInput(
                "copy-1",
                "run-1",
                "2026-03-26T10:00:00Z",
                "2026-03-26T10:01:00Z",
                new RunbookResult(
                    "FAILED",
                    "PostgresCopy",
                    null,
                    Json.tree(bounded),
                    null,
                    List.of(),
                    List.of(),
                    "VerificationFailed",
                    "Verification failed",
                    false,
                    "alice")));
  }

  @Test
  void aReportKeptAsAFileIsShownWholeInTheEvidence() throws Exception {
    ReportStore store = new ReportStore(null, dir);
    VerificationReport whole = whole(300);
    StoredReport ref = store.put("copy-1", "run-1", "verify-7", Json.tree(whole));
    VerificationReport bounded = whole.bounded(VerificationReport.SUMMARY_ITEMS, ref);

    EvidenceRef evidence = record(store, bounded);

    assertThat(ref.store()).isEqualTo(ReportStore.FILE);
    assertThat(store.file("copy-1", "run-1", "verify-7")).startsWith(dir).exists();
    JsonNode json = Json.mapper().readTree(Path.of(evidence.jsonPath()).toFile());
    JsonNode v = json.path("result").path("verification");
    assertThat(v.path("tables")).hasSize(300);
    assertThat(v.path("moreTables").asInt()).isZero();
    assertThat(v.path("fullReport").path("verified").asBoolean()).isTrue();
    assertThat(Files.readString(Path.of(evidence.markdownPath())))
        .contains("**Full report:** SHA-256 matches: all 300 tables")
        .contains("| public.t299 |")
        .contains("300 tables, 1 mismatch.");
  }

  @Test
  void aChangedReportIsNotShownAndTheEvidenceSaysSo() throws Exception {
    ReportStore store = new ReportStore(null, dir);
    VerificationReport whole = whole(300);
    StoredReport ref = store.put("copy-1", "run-1", "verify-7", Json.tree(whole));
    Path file = store.file("copy-1", "run-1", "verify-7");
    // Someone hides the mismatch after the run.
    Files.writeString(file, Files.readString(file).replace("\"ok\":false", "\"ok\":true"));

    EvidenceRef evidence = record(store, whole.bounded(VerificationReport.SUMMARY_ITEMS, ref));

    assertThat(store.get(ref).orElseThrow().matches()).isFalse();
    JsonNode v =
        Json.mapper()
            .readTree(Path.of(evidence.jsonPath()).toFile())
            .path("result")
            .path("verification");
    assertThat(v.path("tables")).hasSize(VerificationReport.SUMMARY_ITEMS);
    assertThat(v.path("tables").get(0).path("ok").asBoolean()).isFalse();
    assertThat(v.path("fullReport").path("verified").asBoolean()).isFalse();
    assertThat(Files.readString(Path.of(evidence.markdownPath())))
        .contains("**Full report — WARNING:** DIGEST MISMATCH")
        .doesNotContain("| public.t299 |");
  }

  @Test
  void aMissingReportIsSaidToBeMissing() throws Exception {
    ReportStore store = new ReportStore(null, dir);
    StoredReport elsewhere =
        new StoredReport("copy-1", "run-1", "verify-9", "00".repeat(32), ReportStore.FILE);

    EvidenceRef evidence =
        record(store, whole(30).bounded(VerificationReport.SUMMARY_ITEMS, elsewhere));

    assertThat(Files.readString(Path.of(evidence.markdownPath())))
        .contains(
            "NOT FOUND: the full report verify-9 of copy-1/run-1 is not in the evidence store")
        .contains("worker that verified");
  }

  @Test
  void everyReferenceInANestedReportIsFilled() {
    ReportStore store = new ReportStore(null, dir);
    VerificationReport whole = whole(50);
    StoredReport ref = store.put("copy-1", "run-1", "verify-7", Json.tree(whole));
    JsonNode bounded = Json.tree(whole.bounded(VerificationReport.SUMMARY_ITEMS, ref));
    // As a cutover carries its rehearsal's report inside its own.
    JsonNode outer = Json.tree(Map.of("copy", "final", "rehearsal", bounded));
    RunbookResult r =
        new RunbookResult(
            "COMPLETED",
            "StateHubCutover",
            null,
            outer,
            null,
            List.of(),
            List.of(),
            null,
            "ok",
            false);

    RunbookResult expanded = FullReports.expand(r, store);

    assertThat(expanded.verification().path("rehearsal").path("tables")).hasSize(50);
    assertThat(r.verification().path("rehearsal").path("tables"))
        .as("the input is left as it was")
        .hasSize(VerificationReport.SUMMARY_ITEMS);
  }
}
