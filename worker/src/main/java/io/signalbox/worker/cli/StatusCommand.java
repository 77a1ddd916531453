package io.signalbox.worker.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TerminatedFailure;
import io.temporal.failure.TimeoutFailure;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code signalbox status <id> [--json] [--watch [--interval S] [--plain]]}: the run's {@code
 * status} query, as a table or raw, with the progress of its running copy steps (its own and its
 * children's, from their heartbeats); {@code --watch} redraws it until the run ends.
 */
@Command(
    name = "status",
    description =
        "Show a run: phase, steps, pending gate, approvals, and the progress of a running dump,"
            + " restore or verify (also a child copy's).")
class StatusCommand implements Callable<Integer> {
  @ParentCommand SignalboxCli root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ID", description = "Workflow id.")
  String workflowId;

  @Option(names = "--json", description = "Print the raw result of the status query.")
  boolean json;

  @Option(
      names = "--watch",
      description =
          "Redraw the status and the copy's progress bar every --interval until the run ends."
              + " Ctrl-C stops watching, not the run.")
  boolean watch;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "2",
      description = "With --watch: seconds between redraws (default: ${DEFAULT-VALUE}).")
  double intervalSeconds;

  @Option(
      names = "--plain",
      description =
          "With --watch: print a line for each change instead of redrawing the screen (the"
              + " default when the output is not a terminal).")
  boolean plain;

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    if (watch && json) {
      throw new CliException(CliException.USAGE, "--watch and --json do not go together");
    }
    if (watch && !(intervalSeconds >= 0.1)) {
      throw new CliException(CliException.USAGE, "--interval must be at least 0.1 seconds");
    }
    try (TemporalConnection temporal = TemporalConnection.open(root)) {
      if (watch) {
        new StatusWatch(
                temporal, workflowId, out, intervalSeconds, plain || System.console() == null)
            .run();
        return 0;
      }
      DescribeWorkflowExecutionResponse description = temporal.describe(workflowId);
      JsonNode status = query(temporal, workflowId);
      if (json) {
        out.println(JsonFiles.MAPPER.writeValueAsString(status));
      } else {
        print(temporal, out, description, status, false);
      }
    }
    return 0;
  }

  /** The status view, then the progress of the run's running copy steps, if any. */
  static void print(
      TemporalConnection temporal,
      PrintWriter out,
      DescribeWorkflowExecutionResponse description,
      JsonNode status,
      boolean blocks) {
    WorkflowExecutionInfo info = description.getWorkflowExecutionInfo();
    StatusView.print(out, info, status, outcome(temporal, info));
    java.util.List<RunProgress.Step> steps = RunProgress.of(temporal, description);
    if (!steps.isEmpty()) {
      out.println();
      out.println("Progress");
      for (RunProgress.Step step : steps) {
        ProgressView.lines(step.workflowId(), step.progress(), blocks)
            .forEach(line -> out.println("  " + line));
      }
    }
  }

  /**
   * How the run ended, from its result or failure; null while it runs (or when its end cannot be
   * read).
   */
  static StatusView.Outcome outcome(TemporalConnection temporal, WorkflowExecutionInfo info) {
    if (info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        || info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED) {
      return null;
    }
    WorkflowStub stub =
        temporal
            .client()
            .newUntypedWorkflowStub(
                info.getExecution().getWorkflowId(),
                Optional.of(info.getExecution().getRunId()),
                Optional.empty());
    try {
      JsonNode result = stub.getResult(10, TimeUnit.SECONDS, JsonNode.class);
      return new StatusView.Outcome(
          result == null ? "COMPLETED" : result.path("outcome").asText("COMPLETED"),
          result == null || result.path("failureType").isNull()
              ? null
              : result.path("failureType").asText(null),
          result == null || result.path("message").isNull()
              ? null
              : result.path("message").asText(null));
    } catch (WorkflowFailedException e) {
      return outcome(e.getCause(), StatusView.executionStatus(info.getStatus()));
    } catch (TimeoutException | RuntimeException e) {
      return new StatusView.Outcome(
          StatusView.executionStatus(info.getStatus()),
          null,
          "(its result could not be read: " + Errors.rootMessage(e) + ")");
    }
  }

  /** The outcome of a failed, cancelled, terminated or timed-out run from its failure. */
  static StatusView.Outcome outcome(Throwable failure, String executionStatus) {
    if (failure instanceof ApplicationFailure app) {
      String outcome = "FAILED";
      try {
        JsonNode details = app.getDetails().get(JsonNode.class);
        if (details != null && details.hasNonNull("outcome")) {
          outcome = details.path("outcome").asText();
        }
      } catch (RuntimeException e) {
        // Details of another shape: the type and message still say it.
      }
      return new StatusView.Outcome(outcome, app.getType(), app.getOriginalMessage());
    }
    if (failure instanceof CanceledFailure) {
      return new StatusView.Outcome("CANCELLED", null, null);
    }
    if (failure instanceof TerminatedFailure t) {
      return new StatusView.Outcome("TERMINATED", null, t.getOriginalMessage());
    }
    if (failure instanceof TimeoutFailure t) {
      return new StatusView.Outcome("TIMED_OUT", t.getTimeoutType().name(), t.getOriginalMessage());
    }
    if (failure instanceof TemporalFailure t) {
      return new StatusView.Outcome(executionStatus, null, t.getOriginalMessage());
    }
    return new StatusView.Outcome(
        executionStatus, null, failure == null ? null : failure.getMessage());
  }

  /** The {@code status} query of the latest run of {@code workflowId}. */
  static JsonNode query(TemporalConnection temporal, String workflowId) {
    WorkflowStub stub =
        temporal.client().newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty());
    try {
      return stub.query("status", JsonNode.class);
    } catch (RuntimeException e) {
      if (Errors.grpcStatus(e) != null
          && Errors.grpcStatus(e).getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        throw e;
      }
      throw new CliException(
          CliException.FAILED,
          "run '"
              + workflowId
              + "' did not answer its status query ("
              + Errors.rootMessage(e)
              + "): is a Signalbox worker polling task queue '"
              + temporal.taskQueue()
              + "'?",
          e);
    }
  }
}
