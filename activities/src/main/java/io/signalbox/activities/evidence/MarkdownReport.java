package io.signalbox.activities.evidence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.ApprovalRecord;
import io.signalbox.workflows.core.EvidenceActivities.EvidenceInput;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.StepRecord;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Renders a run's evidence as a Markdown report: title, times, the failure, the steps, the
 * verification (a table when the report has a {@code tables} array), the approvals and refusals,
 * the plan and the RTO. The report is meant to be read both rendered (GitHub-flavoured tables) and
 * raw in a terminal ({@code signalbox evidence <id>}), so escaping is kept to what tables and HTML
 * need.
 */
public final class MarkdownReport {

  private MarkdownReport() {}

  /** The report for one run; the input is expected to be redacted already. */
  public static String render(EvidenceInput input) {
    RunbookResult r = input.result();
    StringBuilder md = new StringBuilder();
    title(md, input, r);
    failure(md, r);
    rto(md, r.verification());
    steps(md, r.steps());
    verification(md, r.verification());
    approvals(md, r.approvals());
    plan(md, r);
    switched(md, r.switched());
    return md.toString();
  }

  /**
   * What the run switched ({@code result.switched}): for a migration, the facts a {@code Rollback}
   * undoes; for a rollback, the run it rolled back.
   */
  private static void switched(StringBuilder md, JsonNode switched) {
    if (switched == null || !switched.isObject()) {
      return;
    }
    md.append("## Switched\n\n");
    if (switched.path("rollbackOf").isTextual()) {
      md.append("Rollback of `")
          .append(text(switched.path("rollbackOf").asText()))
          .append("`.\n\n");
    }
    List<String> names = new ArrayList<>();
    switched.fieldNames().forEachRemaining(names::add);
    fields(md, switched, names);
  }

  private static void title(StringBuilder md, EvidenceInput input, RunbookResult r) {
    md.append("# ")
        .append(text(orDash(r.runbook())))
        .append(' ')
        .append(text(input.workflowId()))
        .append(": ")
        .append(text(orDash(r.outcome())));
    if (r.dryRun()) {
      md.append(" (dry run)");
    }
    md.append("\n\n");
    md.append("| | |\n|---|---|\n");
    row(md, "Runbook", r.runbook());
    row(md, "Workflow id", input.workflowId());
    row(md, "Run id", input.runId());
    row(md, "Outcome", r.outcome());
    row(md, "Dry run", r.dryRun() ? "yes: nothing was changed" : "no");
    row(md, "Started", input.startedAt());
    row(md, "Ended", input.endedAt());
    row(md, "Duration", duration(input.startedAt(), input.endedAt()));
    md.append('\n');
  }

  private static void failure(StringBuilder md, RunbookResult r) {
    if (r.failureType() == null && !isFailedOutcome(r.outcome())) {
      return;
    }
    md.append("## Failure\n\n");
    md.append("**").append(text(orDash(r.failureType()))).append("**\n\n");
    if (r.message() != null && !r.message().isBlank()) {
      for (String line : r.message().split("\\R", -1)) {
        md.append("> ").append(text(line)).append('\n');
      }
      md.append('\n');
    }
  }

  private static boolean isFailedOutcome(String outcome) {
    return outcome != null && !"COMPLETED".equals(outcome);
  }

  private static void rto(StringBuilder md, JsonNode v) {
    if (v == null || !v.isObject()) {
      return;
    }
    JsonNode restore = v.get("restoreSeconds");
    JsonNode rto = v.get("rtoSeconds");
    if (!isNumber(restore) && !isNumber(rto)) {
      return;
    }
    md.append("**RTO:** ");
    List<String> parts = new ArrayList<>();
    if (isNumber(restore)) {
      parts.add("restore took " + seconds(restore.asDouble()));
    }
    if (isNumber(rto)) {
      parts.add("recovery time " + seconds(rto.asDouble()));
    }
    JsonNode max =
        v.has("maxRestoreSeconds") ? v.get("maxRestoreSeconds") : v.get("rtoTargetSeconds");
    if (isNumber(max)) {
      double measured = isNumber(rto) ? rto.asDouble() : restore.asDouble();
      parts.add(
          "limit "
              + seconds(max.asDouble())
              + (measured <= max.asDouble() ? " (within)" : " (**over the limit**)"));
    }
    md.append(String.join("; ", parts)).append("\n\n");
  }

  private static boolean isNumber(JsonNode n) {
    return n != null && n.isNumber();
  }

  private static void steps(StringBuilder md, List<StepRecord> steps) {
    md.append("## Steps\n\n");
    if (steps == null || steps.isEmpty()) {
      md.append("No steps ran.\n\n");
      return;
    }
    md.append("| Step | State | Started | Ended | Duration | Detail |\n");
    md.append("|---|---|---|---|---:|---|\n");
    for (StepRecord s : steps) {
      if (s == null) {
        continue;
      }
      cells(
          md,
          s.name(),
          s.state() == null ? null : s.state().name(),
          s.startedAt(),
          s.endedAt(),
          duration(s.startedAt(), s.endedAt()),
          s.detail());
    }
    md.append('\n');
  }

  private static void verification(StringBuilder md, JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      return;
    }
    md.append("## Verification\n\n");
    fullReport(md, v);
    JsonNode tables = v.get("tables");
    if (!v.isObject() || tables == null || !tables.isArray()) {
      codeBlock(md, pretty(v));
      return;
    }
    List<String> columns = columns(tables);
    int mismatches = 0;
    boolean hasOk = columns.contains("ok");
    if (tables.isEmpty() || columns.isEmpty()) {
      md.append("No tables.\n\n");
    } else {
      md.append('|');
      for (String c : columns) {
        md.append(' ').append(cell(header(c))).append(" |");
      }
      md.append("\n|");
      for (String c : columns) {
        md.append(isNumericColumn(tables, c) ? "---:|" : "---|");
      }
      md.append('\n');
      for (JsonNode t : tables) {
        md.append('|');
        for (String c : columns) {
          md.append(' ').append(cell(value(c, t.get(c)))).append(" |");
        }
        md.append('\n');
        if (hasOk && t.path("ok").isBoolean() && !t.path("ok").asBoolean()) {
          mismatches++;
        }
      }
      md.append('\n');
      if (hasOk) {
        md.append(tables.size())
            .append(tables.size() == 1 ? " table, " : " tables, ")
            .append(mismatches)
            .append(mismatches == 1 ? " mismatch" : " mismatches")
            .append(".\n\n");
      }
    }
    List<String> rest = new ArrayList<>();
    v.fieldNames().forEachRemaining(rest::add);
    rest.remove("tables");
    rest.remove("fullReport");
    fields(md, v, rest);
  }

  /**
   * Where the table comes from when the run carried only its first rows: the stored report, its
   * digest, and whether it matched (a mismatch or a missing report is said in capitals).
   */
  private static void fullReport(StringBuilder md, JsonNode v) {
    JsonNode ref = v.path("fullReport");
    if (!ref.isObject()) {
      return;
    }
    boolean verified = ref.path("verified").asBoolean(false);
    md.append(verified ? "**Full report:** " : "**Full report — WARNING:** ")
        .append(text(ref.path("check").asText("not checked")))
        .append(" (report `")
        .append(text(ref.path("name").asText()))
        .append("` of run `")
        .append(text(ref.path("workflowId").asText() + "/" + ref.path("runId").asText()))
        .append("`, SHA-256 `")
        .append(text(ref.path("sha256").asText()))
        .append("`).\n\n");
  }

  /** The union of the rows' field names, in the order they are first seen. */
  private static List<String> columns(JsonNode tables) {
    Set<String> columns = new LinkedHashSet<>();
    for (JsonNode t : tables) {
      if (t.isObject()) {
        t.fieldNames().forEachRemaining(columns::add);
      }
    }
    return new ArrayList<>(columns);
  }

  private static boolean isNumericColumn(JsonNode tables, String column) {
    boolean any = false;
    for (JsonNode t : tables) {
      JsonNode n = t.get(column);
      if (n == null || n.isNull()) {
        continue;
      }
      if (!n.isNumber()) {
        return false;
      }
      any = true;
    }
    return any;
  }

  private static String value(String column, JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "";
    }
    if (n.isBoolean()) {
      if (column.equals("ok") || column.equals("match") || column.equals("matches")) {
        return n.asBoolean() ? "ok" : "MISMATCH";
      }
      return n.asBoolean() ? "yes" : "no";
    }
    if (n.isValueNode()) {
      return n.asText();
    }
    return compact(n);
  }

  /** {@code sourceRows} reads as "Source rows"; {@code ok} as "OK". */
  static String header(String field) {
    if (field.equals("ok")) {
      return "OK";
    }
    StringBuilder h = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (i == 0) {
        h.append(Character.toUpperCase(c));
      } else if (Character.isUpperCase(c) && !Character.isUpperCase(field.charAt(i - 1))) {
        h.append(' ').append(Character.toLowerCase(c));
      } else if (c == '_') {
        h.append(' ');
      } else {
        h.append(c);
      }
    }
    return h.toString();
  }

  private static void approvals(StringBuilder md, List<ApprovalRecord> approvals) {
    if (approvals == null || approvals.isEmpty()) {
      return;
    }
    md.append("## Approvals\n\n");
    md.append("| Gate | Decision | By | At | Comment | Refusal |\n");
    md.append("|---|---|---|---|---|---|\n");
    for (ApprovalRecord a : approvals) {
      if (a == null) {
        continue;
      }
      cells(md, a.gate(), a.decision(), a.by(), a.at(), a.comment(), a.refusal());
    }
    md.append('\n');
  }

  private static void plan(StringBuilder md, RunbookResult r) {
    JsonNode plan = r.plan();
    if (plan == null || plan.isNull() || plan.isMissingNode()) {
      return;
    }
    md.append("## Plan\n\n");
    if (r.dryRun()) {
      md.append("A dry run: this is what a real run would do; nothing was changed.\n\n");
    }
    if (plan.isObject()) {
      List<String> names = new ArrayList<>();
      plan.fieldNames().forEachRemaining(names::add);
      fields(md, plan, names);
    } else {
      codeBlock(md, pretty(plan));
    }
  }

  /** Scalars and lists of scalars as a list; anything nested as JSON. */
  private static void fields(StringBuilder md, JsonNode object, List<String> names) {
    if (names.isEmpty()) {
      return;
    }
    List<String> nested = new ArrayList<>();
    for (String name : names) {
      JsonNode n = object.get(name);
      if (n.isValueNode()) {
        md.append("- **").append(text(header(name))).append(":** ");
        md.append(text(value("", n))).append('\n');
      } else if (n.isArray() && allScalars(n)) {
        md.append("- **").append(text(header(name))).append(":**");
        if (n.isEmpty()) {
          md.append(" none\n");
        } else {
          md.append('\n');
          for (JsonNode e : n) {
            md.append("  - ").append(text(value("", e))).append('\n');
          }
        }
      } else {
        nested.add(name);
      }
    }
    md.append('\n');
    for (String name : nested) {
      md.append("**").append(text(header(name))).append(":**\n\n");
      codeBlock(md, pretty(object.get(name)));
    }
  }

  private static boolean allScalars(JsonNode array) {
    for (JsonNode e : array) {
      if (!e.isValueNode()) {
        return false;
      }
    }
    return true;
  }

  private static void row(StringBuilder md, String key, String value) {
    cells(md, key, value);
  }

  private static void cells(StringBuilder md, String... values) {
    md.append('|');
    for (String v : values) {
      md.append(' ').append(cell(v)).append(" |");
    }
    md.append('\n');
  }

  /**
   * A table cell: a pipe would end the cell and a newline the row; {@code <} is escaped so a value
   * can never become HTML when the report is rendered.
   */
  static String cell(String value) {
    if (value == null) {
      return "";
    }
    return escape(value).replace("|", "\\|").replaceAll("\\R", "<br>");
  }

  /** Running text (titles, list items, quoted lines): newlines become spaces. */
  private static String text(String value) {
    return value == null ? "" : escape(value).replaceAll("\\R", " ");
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("<", "\\<");
  }

  private static void codeBlock(StringBuilder md, String content) {
    // A fence longer than any backtick run inside, so the content cannot close it.
    int longest = 0;
    int run = 0;
    for (int i = 0; i < content.length(); i++) {
      run = content.charAt(i) == '`' ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    String fence = "`".repeat(Math.max(3, longest + 1));
    md.append(fence).append("json\n").append(content).append('\n').append(fence).append("\n\n");
  }

  private static String pretty(JsonNode n) {
    try {
      return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(n);
    } catch (JsonProcessingException e) {
      return n.toString();
    }
  }

  private static String compact(JsonNode n) {
    return n.toString();
  }

  private static String orDash(String s) {
    return s == null || s.isBlank() ? "-" : s;
  }

  /** The time between two ISO-8601 instants, or empty when either is missing or unreadable. */
  static String duration(String start, String end) {
    Instant a = instant(start);
    Instant b = instant(end);
    if (a == null || b == null) {
      return "";
    }
    return format(Duration.between(a, b));
  }

  /** An ISO-8601 instant or offset date-time; null when absent or unreadable. */
  static Instant instant(String iso) {
    if (iso == null || iso.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(iso);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(iso).toInstant();
      } catch (DateTimeParseException again) {
        return null;
      }
    }
  }

  private static String seconds(double s) {
    return format(Duration.ofMillis(Math.round(s * 1000)));
  }

  /** {@code 850ms}, {@code 12.3s}, {@code 4m 05s}, {@code 1h 02m 03s}. */
  static String format(Duration d) {
    boolean negative = d.isNegative();
    Duration a = d.abs();
    String s;
    if (a.toMillis() < 1000) {
      s = a.toMillis() + "ms";
    } else if (a.toSeconds() < 60) {
      s = String.format(Locale.ROOT, "%.1fs", a.toMillis() / 1000.0);
    } else if (a.toHours() < 1) {
      s = String.format(Locale.ROOT, "%dm %02ds", a.toMinutesPart(), a.toSecondsPart());
    } else {
      s =
          String.format(
              Locale.ROOT, "%dh %02dm %02ds", a.toHours(), a.toMinutesPart(), a.toSecondsPart());
    }
    return negative ? "-" + s : s;
  }
}
