package io.signalbox.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code status --watch}: on a terminal, clears the screen and redraws the whole status with the
 * progress bars every interval; otherwise (a pipe, a log, {@code --plain}) prints the status once,
 * then a time-stamped line for each new heartbeat and each change of phase or step, and the whole
 * status again when the run has ended.
 */
final class StatusWatch {
  private static final String CLEAR = "\u001b[H\u001b[2J";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private final TemporalConnection temporal;
  private final String workflowId;
  private final PrintWriter out;
  private final long intervalMillis;
  private final boolean plain;

  StatusWatch(
      TemporalConnection temporal,
      String workflowId,
      PrintWriter out,
      double intervalSeconds,
      boolean plain) {
    this.temporal = temporal;
    this.workflowId = workflowId;
    this.out = out;
    this.intervalMillis = Math.round(intervalSeconds * 1000);
    this.plain = plain;
  }

  /** Watches until the run has ended (or the thread is interrupted). */
  void run() {
    String lastStep = null;
    Map<String, Object> lastProgress = new HashMap<>();
    boolean first = true;
    while (true) {
      DescribeWorkflowExecutionResponse description = temporal.describe(workflowId);
      boolean running =
          description.getWorkflowExecutionInfo().getStatus()
              == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
      JsonNode status = StatusCommand.query(temporal, workflowId);
      if (!plain) {
        StringWriter screen = new StringWriter();
        try (PrintWriter w = new PrintWriter(screen)) {
          StatusCommand.print(temporal, w, description, status, true);
        }
        out.print(CLEAR);
        out.print(screen);
        out.printf("%n(watching every %s s; Ctrl-C stops watching, not the run)%n", seconds());
        out.flush();
      } else if (first || !running) {
        if (!first) {
          out.println();
        }
        StatusCommand.print(temporal, out, description, status, false);
        out.println();
        out.flush();
      }
      if (!running) {
        return;
      }
      if (plain) {
        String now = TIME.format(Instant.now());
        String step =
            StatusView.text(status, "phase") + ", step " + StatusView.text(status, "step");
        if (!first && !step.equals(lastStep)) {
          out.println(now + "  " + step);
        }
        lastStep = step;
        List<RunProgress.Step> steps = RunProgress.of(temporal, description);
        for (RunProgress.Step s : steps) {
          // The first figures are in the status just printed; a line for each new one after.
          if (!s.progress().equals(lastProgress.put(s.workflowId(), s.progress())) && !first) {
            out.println(
                now
                    + "  "
                    + s.workflowId()
                    + " "
                    + s.progress().phase()
                    + (s.progress().stage() != null ? " (" + s.progress().stage() + ")" : "")
                    + "  "
                    + ProgressView.line(s.progress(), false));
          }
        }
        out.flush();
      }
      first = false;
      try {
        Thread.sleep(intervalMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private String seconds() {
    return intervalMillis % 1000 == 0
        ? String.valueOf(intervalMillis / 1000)
        : String.valueOf(intervalMillis / 1000.0);
  }
}
