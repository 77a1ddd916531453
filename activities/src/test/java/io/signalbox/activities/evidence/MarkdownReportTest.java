package io.signalbox.activities.evidence;

import static io.signalbox.activities.evidence.EvidenceActivitiesImplTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.workflows.core.ApprovalRecord;
import io.signalbox.workflows.core.EvidenceActivities.EvidenceInput;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.StepRecord;
import io.signalbox.workflows.core.StepState;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Markdown report, rendered without a database. */
class MarkdownReportTest {

  @Test
  void tableCellsEscapePipesNewlinesAndHtml() {
    RunbookResult r =
        result(
            "FAILED",
            null,
            null,
            List.of(step("dump | restore", StepState.FAILED, "line one\nline two\r\n<script>")),
            List.of(
                new ApprovalRecord(
                    "switch",
                    ApprovalRecord.REJECTED,
                    "bob",
                    "2026-03-26T10:00:00Z",
                    "a|b\nc",
                    null)),
            "StepFailed",
            "pg_restore failed\nsource left as it was",
            false);
    String md = MarkdownReport.render(input(r));
    assertThat(md)
        .contains(
            "| dump \\| restore | FAILED | 2026-03-26T10:00:00Z | 2026-03-26T10:00:02Z | 2.0s |"
                + " line one<br>line two<br>\\<script> |")
        .contains("| switch | REJECTED | bob | 2026-03-26T10:00:00Z | a\\|b<br>c |  |")
        .contains("## Failure\n\n**StepFailed**\n\n> pg_restore failed\n> source left as it was\n")
        .contains("**StepFailed**");
    // No HTML but the line breaks inside cells: every other '<' is escaped.
    assertThat(md.replace("<br>", "")).doesNotContainPattern("(?<!\\\\)<");
    // Every table row still has exactly its columns.
    md.lines()
        .filter(l -> l.startsWith("| dump"))
        .forEach(l -> assertThat(l.replace("\\|", "").chars().filter(c -> c == '|')).hasSize(7));
  }

  @Test
  void verificationWithoutTablesIsShownAsJson() {
    ObjectNode v = Json.mapper().createObjectNode().put("healthy", true).put("note", "```x");
    String md =
        MarkdownReport.render(
            input(result("COMPLETED", v, null, List.of(), List.of(), null, null, false)));
    assertThat(md)
        .contains("## Verification\n\n````json\n{\n  \"healthy\" : true,")
        .contains("\n````\n");
  }

  @Test
  void verificationTablesRenderWhateverColumnsTheRowsHave() {
    ObjectNode v = Json.mapper().createObjectNode();
    var tables = v.putArray("tables");
    tables
        .addObject()
        .put("table", "a")
        .put("sourceRows", 2)
        .put("targetRows", 1)
        .put("ok", false)
        .put("problem", "1 row missing");
    tables.addObject().put("table", "b").put("sourceRows", 5).put("targetRows", 5).put("ok", true);
    tables.addObject().put("table", "c").put("extra", "only here");
    v.putArray("sequenceProblems").add("public.s at 3, source at 7");
    String md =
        MarkdownReport.render(
            input(
                result(
                    "FAILED",
                    v,
                    null,
                    List.of(),
                    List.of(),
                    "VerificationFailed",
                    "a differs",
                    false)));
    assertThat(md)
        .contains(
            "| Table | Source rows | Target rows | OK | Problem | Extra |\n|---|---:|---:|---|---|---|\n")
        .contains("| a | 2 | 1 | MISMATCH | 1 row missing |  |")
        .contains("| b | 5 | 5 | ok |  |  |")
        .contains("| c |  |  |  |  | only here |")
        .contains("3 tables, 1 mismatch.")
        .contains("- **Sequence problems:**\n  - public.s at 3, source at 7\n");
  }

  @Test
  void aDryRunShowsItsPlanAndAVerificationItsRto() {
    ObjectNode v =
        Json.mapper().createObjectNode().put("restoreSeconds", 125.4).put("maxRestoreSeconds", 600);
    ObjectNode plan = Json.mapper().createObjectNode().put("tables", 42).put("bytes", 123456);
    plan.putArray("steps").add("dump").add("restore");
    plan.putObject("target").put("database", "gitea");
    String md =
        MarkdownReport.render(
            input(result("COMPLETED", v, plan, List.of(), List.of(), null, null, true)));
    assertThat(md)
        .startsWith("# BackupVerification wf: COMPLETED (dry run)\n")
        .contains("| Dry run | yes: nothing was changed |")
        .contains("**RTO:** restore took 2m 05s; limit 10m 00s (within)")
        .contains("## Plan\n\nA dry run: this is what a real run would do; nothing was changed.")
        .contains("- **Tables:** 42\n- **Bytes:** 123456\n- **Steps:**\n  - dump\n  - restore\n")
        .contains("**Target:**\n\n```json\n{\n  \"database\" : \"gitea\"\n}\n```")
        .contains("No steps ran.");
  }

  @Test
  void anRtoOverItsLimitSaysSo() {
    ObjectNode v =
        Json.mapper().createObjectNode().put("rtoSeconds", 700).put("maxRestoreSeconds", 600);
    String md =
        MarkdownReport.render(
            input(result("COMPLETED", v, null, List.of(), List.of(), null, null, false)));
    assertThat(md).contains("**RTO:** recovery time 11m 40s; limit 10m 00s (**over the limit**)");
  }

  @Test
  void durations() {
    assertThat(MarkdownReport.format(Duration.ofMillis(850))).isEqualTo("850ms");
    assertThat(MarkdownReport.format(Duration.ofMillis(12_340))).isEqualTo("12.3s");
    assertThat(MarkdownReport.format(Duration.ofSeconds(245))).isEqualTo("4m 05s");
    assertThat(MarkdownReport.format(Duration.ofSeconds(3723))).isEqualTo("1h 02m 03s");
    assertThat(MarkdownReport.duration("2026-03-26T10:00:00Z", null)).isEmpty();
    assertThat(MarkdownReport.duration("2026-03-26T10:00:00+01:00", "2026-03-26T09:00:01Z"))
        .isEqualTo("1.0s");
    assertThat(MarkdownReport.header("sourceChecksum")).isEqualTo("Source checksum");
    assertThat(MarkdownReport.header("ok")).isEqualTo("OK");
  }

  @Test
  void aStepStillRunningHasNoEndOrDuration() {
    String md =
        MarkdownReport.render(
            input(
                result(
                    "CANCELLED",
                    null,
                    null,
                    List.of(
                        new StepRecord(
                            "copy", StepState.RUNNING, "2026-03-26T10:00:00Z", null, null)),
                    List.of(),
                    null,
                    "Cancelled.",
                    false)));
    assertThat(md)
        .contains("| copy | RUNNING | 2026-03-26T10:00:00Z |  |  |  |")
        .contains("## Failure\n\n**-**\n\n> Cancelled.");
  }

  private static EvidenceInput input(RunbookResult r) {
    return new EvidenceInput("wf", "run", "2026-03-26T10:00:00Z", "2026-03-26T10:05:00Z", r);
  }

  private static RunbookResult result(
      String outcome,
      com.fasterxml.jackson.databind.JsonNode verification,
      com.fasterxml.jackson.databind.JsonNode plan,
      List<StepRecord> steps,
      List<ApprovalRecord> approvals,
      String failureType,
      String message,
      boolean dryRun) {
    return new RunbookResult(
        outcome,
        "BackupVerification",
        null,
        verification,
        plan,
        steps,
        approvals,
        failureType,
        message,
        dryRun);
  }
}
