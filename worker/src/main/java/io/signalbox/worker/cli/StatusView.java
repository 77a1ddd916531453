package io.signalbox.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Timestamp;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The human-readable form of a run's {@code status} query. */
final class StatusView {
  private static final int REPORT_WIDTH = 160;

  private static final int OUTCOME_WIDTH = 100;
  private static final String INDENT = " ".repeat(14);

  private StatusView() {}

  /**
   * How a run ended.
   *
   * @param outcome COMPLETED, FAILED, ROLLED_BACK, CANCELLED, TERMINATED or TIMED_OUT
   * @param failureType the {@code FailureType} of a failed run, else null
   * @param message the whole failure message (what happened and what state was left), else null
   */
  record Outcome(String outcome, String failureType, String message) {}

  static void print(PrintWriter out, WorkflowExecutionInfo info, JsonNode status) {
    print(out, info, status, null);
  }

  /** The view; a run that ended starts with its {@code outcome} (null while it runs). */
  static void print(PrintWriter out, WorkflowExecutionInfo info, JsonNode status, Outcome outcome) {
    String id = info.getExecution().getWorkflowId();
    if (outcome != null) {
      out.printf(
          "Outcome       %s%s%n",
          outcome.outcome(),
          outcome.failureType() != null ? " (" + outcome.failureType() + ")" : "");
      if (outcome.message() != null && !outcome.message().isBlank()) {
        for (String line : Table.wrap(outcome.message(), OUTCOME_WIDTH)) {
          out.println(INDENT + line);
        }
      }
      out.println();
    }
    out.printf("Run           %s (%s)%n", id, info.getType().getName());
    out.printf(
        "Execution     %s, started %s%s%n",
        executionStatus(info.getStatus()),
        instant(info.getStartTime()),
        info.hasCloseTime() ? ", closed " + instant(info.getCloseTime()) : "");
    out.printf("Phase         %s%n", text(status, "phase"));
    out.printf("Step          %s%n", text(status, "step"));
    out.printf("Requested by  %s%n", text(status, "requestedBy"));
    out.printf("Dry run       %s%n", status.path("dryRun").asBoolean(false) ? "yes" : "no");
    if (status.hasNonNull("pausedBy")) {
      out.printf(
          "Paused by     %s%s%n",
          text(status, "pausedBy"),
          status.hasNonNull("pauseReason") ? ": " + text(status, "pauseReason") : "");
    }

    JsonNode gate = status.path("pendingGate");
    if (gate.isObject()) {
      out.println();
      out.printf("Waiting at gate '%s': %s%n", text(gate, "gate"), text(gate, "prompt"));
      out.printf("  since %s, rejects itself at %s%n", text(gate, "since"), text(gate, "deadline"));
      out.printf(
          "  approvers: %s; needed: %s; approved by: %s%n",
          gate.path("approvers").isEmpty() ? "anyone" : join(gate.path("approvers")),
          gate.path("needed").asText("1"),
          gate.path("approvedBy").isEmpty() ? "nobody yet" : join(gate.path("approvedBy")));
      JsonNode report = gate.path("report");
      if (!report.isMissingNode() && !report.isNull() && !report.isEmpty()) {
        String compact = report.toString();
        out.printf(
            "  report: %s%n",
            compact.length() <= REPORT_WIDTH
                ? compact
                : compact.substring(0, REPORT_WIDTH) + "… (all of it: status --json)");
      }
      if (gate.hasNonNull("planDigest")) {
        out.printf("  plan digest: %s%n", text(gate, "planDigest"));
      }
      out.printf(
          "  approve: signalbox approve %s --gate %s --as NAME%s%n",
          id,
          text(gate, "gate"),
          gate.hasNonNull("planDigest") ? " --plan-digest " + text(gate, "planDigest") : "");
      out.printf(
          "  reject:  signalbox reject %s --gate %s --as NAME --reason WHY%n",
          id, text(gate, "gate"));
    }

    JsonNode steps = status.path("steps");
    if (!steps.isEmpty()) {
      out.println();
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("STEP", "STATE", "STARTED", "ENDED", "DETAIL"));
      for (JsonNode step : steps) {
        rows.add(
            List.of(
                text(step, "name"),
                text(step, "state"),
                text(step, "startedAt"),
                text(step, "endedAt"),
                text(step, "detail")));
      }
      Table.printWrapped(out, rows);
    }

    JsonNode approvals = status.path("approvals");
    if (!approvals.isEmpty()) {
      out.println();
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("GATE", "DECISION", "BY", "AT", "COMMENT", "REFUSED BECAUSE"));
      for (JsonNode approval : approvals) {
        rows.add(
            List.of(
                text(approval, "gate"),
                text(approval, "decision"),
                text(approval, "by"),
                text(approval, "at"),
                text(approval, "comment"),
                text(approval, "refusal")));
      }
      Table.printWrapped(out, rows);
    }
  }

  static String executionStatus(WorkflowExecutionStatus status) {
    return status.name().replace("WORKFLOW_EXECUTION_STATUS_", "");
  }

  static String instant(Timestamp timestamp) {
    if (timestamp == null || (timestamp.getSeconds() == 0 && timestamp.getNanos() == 0)) {
      return "-";
    }
    return Instant.ofEpochSecond(timestamp.getSeconds()).toString();
  }

  static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return "-";
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  private static String join(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return String.join(", ", values);
  }
}
