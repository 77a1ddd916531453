package io.signalbox.workflows.statehub;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.copy.CopyEstimate;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.StepRecord;
import io.signalbox.workflows.migration.SwitchSteps;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link StateHubCutoverWorkflowImpl} shows at its plan and its gates: the dry run's plan, the
 * freeze gate's report, a copy's verification headline and timings. Pure functions of their
 * arguments, so deterministic.
 */
final class StateHubCutoverReports {

  private StateHubCutoverReports() {}

  /** The dry run's plan: what the run would copy and the steps it would take. */
  static Map<String, Object> plan(
      StateHubCutoverInput in,
      StateHubCutoverPreflight.Facts pre,
      Endpoint target,
      StateHubCutoverWorkflowImpl.Load load,
      RunbookResult plan) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("source", pre.source().endpoint());
    report.put("target", target.describe());
    report.put("load", load.name());
    report.put("copy", plan.plan());
    report.put(
        "steps",
        List.of(
            "rehearsal copy into " + target.describe() + " (" + load + "), source stays live",
            "gate freeze",
            "freeze " + freezeSummary(in),
            "final copy (rows only, the rehearsal's removed first)",
            "gate cutover",
            in.app() != null ? "scale " + in.app().workload().describe() + " up" : "no app",
            "switch: " + SwitchSteps.summary(in.switchTo()),
            in.healthCheck() != null ? "health check " + in.healthCheck().url() : "none",
            "the source stays frozen as the fallback"));
    return report;
  }

  /** The freeze gate's report: the rehearsal's headline and timings, the expected downtime. */
  static Map<String, Object> freeze(
      StateHubCutoverInput in,
      StateHubCutoverPreflight.Facts pre,
      Endpoint target,
      StateHubCutoverWorkflowImpl.Load load,
      RunbookResult rehearsal,
      Map<String, Object> timings,
      long expectedDowntime,
      long rehearsalMillis) {
    Map<String, Object> freezeReport = new LinkedHashMap<>();
    freezeReport.put("source", pre.source().endpoint());
    freezeReport.put("target", target.describe());
    freezeReport.put("load", load.name());
    freezeReport.put("rehearsal", summary(rehearsal.verification()));
    freezeReport.put("timings", timings);
    freezeReport.put("expectedWriteDowntimeSeconds", expectedDowntime);
    freezeReport.put(
        "expectedWriteDowntime",
        "about "
            + expectedDowntime
            + " s for the final copy, plus the wait at gate cutover and the switch");
    CopyEstimate expected =
        CopyEstimate.fromCopy(
            pre.source().sizeBytes(),
            pre.source().sizeBytes(),
            rehearsalMillis,
            "the rehearsal copy");
    if (expected != null) {
      freezeReport.put("expectedCopy", expected.report());
    }
    freezeReport.put("freeze", freezeSummary(in));
    return freezeReport;
  }

  /** The verification's headline: what a gate shows (the table rows stay in the evidence). */
  static Map<String, Object> summary(JsonNode v) {
    Map<String, Object> s = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return s;
    }
    s.put("matches", v.path("matches").asBoolean());
    s.put("summary", v.path("summary").asText());
    s.put("checksums", v.path("checksums").asBoolean());
    s.put("sourceRows", v.path("sourceRows").asLong());
    s.put("targetRows", v.path("targetRows").asLong());
    // A bounded report (fullReport) counts every table in tableCount; its rows are the first few.
    s.put("tables", v.has("tableCount") ? v.path("tableCount").asInt() : v.path("tables").size());
    if (v.has("mismatchCount")) {
      s.put("mismatchingTables", v.path("mismatchCount").asInt());
    }
    if (v.has("fullReport")) {
      s.put("fullReport", v.get("fullReport"));
    }
    return s;
  }

  /** Seconds of the copy's dump, restore and verify steps, and of the whole child. */
  static Map<String, Object> timings(RunbookResult r, long totalMillis) {
    Map<String, Object> t = new LinkedHashMap<>();
    if (r.steps() != null) {
      for (StepRecord s : r.steps()) {
        if (s.startedAt() != null && s.endedAt() != null) {
          long ms =
              Instant.parse(s.endedAt()).toEpochMilli()
                  - Instant.parse(s.startedAt()).toEpochMilli();
          t.put(s.name() + "Seconds", ms / 1000.0);
        }
      }
    }
    t.put("totalSeconds", totalMillis / 1000.0);
    return t;
  }

  static String freezeSummary(StateHubCutoverInput in) {
    if (in.sourceFreeze() != null && in.sourceFreeze().app() != null) {
      return "scale "
          + in.sourceFreeze().app().namespace()
          + "/"
          + in.sourceFreeze().app().deployment()
          + " to 0";
    }
    return "make " + in.source().database() + " read-only and end its sessions";
  }
}
