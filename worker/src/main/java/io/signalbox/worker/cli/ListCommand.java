package io.signalbox.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.signalbox.workflows.core.RunSearchAttributes;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import io.temporal.common.converter.DataConverterException;
import io.temporal.common.converter.DefaultDataConverter;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code signalbox list [--waiting]}: the open runs on the Signalbox task queue with their phase,
 * step, pending gate and requester. These come from the runs' search attributes ({@code
 * SignalboxPhase}, …) where the server has them, with one visibility query ({@code --waiting} adds
 * {@code SignalboxPhase = 'WAITING_FOR_APPROVAL'}); a run without them (a server where they are not
 * registered, a run started before) is asked its {@code status} query instead, all in parallel.
 */
@Command(
    name = "list",
    description = "List open runs with their phase, step, pending gate and requester.")
class ListCommand implements Callable<Integer> {
  private static final int PAGE_SIZE = 100;
  private static final int MAX_RUNS = 1000;
  private static final String WAITING = "WAITING_FOR_APPROVAL";

  @ParentCommand SignalboxCli root;
  @Spec CommandSpec spec;

  @Option(
      names = "--waiting",
      description = "Only runs that wait for an approval (phase WAITING_FOR_APPROVAL).")
  boolean waiting;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    try (TemporalConnection temporal = TemporalConnection.open(root)) {
      List<WorkflowExecutionInfo> runs = openRuns(temporal, waiting);
      runs.sort(
          Comparator.comparingLong((WorkflowExecutionInfo i) -> i.getStartTime().getSeconds()));
      List<List<String>> rows = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(8, runs.size())));
      try {
        // Runs without search attributes are asked their status, all at once; together they get
        // the --timeout (a run without a worker never answers, and must not hold up the list).
        List<Future<JsonNode>> statuses = new ArrayList<>();
        for (WorkflowExecutionInfo run : runs) {
          statuses.add(
              shown(run).containsKey(RunSearchAttributes.PHASE.getName())
                  ? null
                  : pool.submit(
                      () -> StatusCommand.query(temporal, run.getExecution().getWorkflowId())));
        }
        long deadline =
            System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, root.timeoutSeconds));
        for (int i = 0; i < runs.size(); i++) {
          WorkflowExecutionInfo run = runs.get(i);
          List<String> row = statuses.get(i) == null ? fromSearchAttributes(run) : null;
          if (row == null) {
            row = fromStatus(run, answer(statuses.get(i), deadline));
          }
          if (!waiting || row.get(2).equals(WAITING)) {
            rows.add(row);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      if (rows.isEmpty()) {
        out.printf(
            "No %s on task queue %s in namespace %s.%n",
            waiting ? "runs waiting for approval" : "open runs",
            temporal.taskQueue(),
            temporal.namespace());
        return 0;
      }
      rows.add(
          0,
          List.of(
              "WORKFLOW ID", "TYPE", "PHASE", "STEP", "PENDING GATE", "REQUESTED BY", "STARTED"));
      Table.print(out, rows);
    }
    return 0;
  }

  private static List<String> fromSearchAttributes(WorkflowExecutionInfo run) {
    Map<String, String> shown = shown(run);
    return List.of(
        run.getExecution().getWorkflowId(),
        run.getType().getName(),
        shown.getOrDefault(RunSearchAttributes.PHASE.getName(), "-"),
        shown.getOrDefault(RunSearchAttributes.STEP.getName(), "-"),
        shown.getOrDefault(RunSearchAttributes.PENDING_GATE.getName(), "-"),
        shown.getOrDefault(RunSearchAttributes.REQUESTED_BY.getName(), "-"),
        StatusView.instant(run.getStartTime()));
  }

  private static List<String> fromStatus(WorkflowExecutionInfo run, JsonNode status) {
    return List.of(
        run.getExecution().getWorkflowId(),
        run.getType().getName(),
        status == null ? "?" : StatusView.text(status, "phase"),
        status == null ? "(no answer to status: no worker?)" : StatusView.text(status, "step"),
        status == null ? "-" : StatusView.text(status.path("pendingGate"), "gate"),
        status == null ? "-" : StatusView.text(status, "requestedBy"),
        StatusView.instant(run.getStartTime()));
  }

  /** Signalbox's search attributes of a run, by name: the ones it has set. */
  static Map<String, String> shown(WorkflowExecutionInfo run) {
    Map<String, String> shown = new HashMap<>();
    Map<String, Payload> fields = run.getSearchAttributes().getIndexedFieldsMap();
    for (String name : RunSearchAttributes.names()) {
      Payload payload = fields.get(name);
      String value = payload == null ? null : keyword(payload);
      if (value != null) {
        shown.put(name, value);
      }
    }
    return shown;
  }

  private static String keyword(Payload payload) {
    try {
      JsonNode value =
          DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
              payload, JsonNode.class, JsonNode.class);
      if (value == null || value.isNull()) {
        return null;
      }
      // A server may hand a keyword back as a one-element list.
      JsonNode single = value.isArray() ? value.path(0) : value;
      return single.isValueNode() ? single.asText() : null;
    } catch (DataConverterException e) {
      return null;
    }
  }

  private static JsonNode answer(Future<JsonNode> status, long deadline)
      throws InterruptedException {
    try {
      return status.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return null;
    }
  }

  /**
   * The open runs on our task queue, with their search attributes. Uses the visibility query API
   * ({@code ListWorkflowExecutions}); with {@code waiting}, the server filters on {@code
   * SignalboxPhase}, unless it does not know that attribute (then all open runs, and the caller
   * filters). Where the server does not implement the query API (the Temporal Java test server
   * behind {@code ./signalbox dev}), falls back to {@code ListOpenWorkflowExecutions} and describes
   * each run for its task queue and search attributes.
   */
  static List<WorkflowExecutionInfo> openRuns(TemporalConnection temporal, boolean waiting) {
    WorkflowServiceGrpc.WorkflowServiceBlockingStub service =
        temporal.stubs().blockingStub().withDeadlineAfter(30, TimeUnit.SECONDS);
    String open =
        "ExecutionStatus = 'Running' AND TaskQueue = '"
            + temporal.taskQueue().replace("'", "")
            + "'";
    try {
      if (waiting) {
        try {
          return query(
              service,
              temporal,
              open + " AND " + RunSearchAttributes.PHASE.getName() + " = '" + WAITING + "'");
        } catch (StatusRuntimeException e) {
          // INVALID_ARGUMENT: the server does not know SignalboxPhase (not registered).
          if (e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT) {
            throw e;
          }
        }
      }
      return query(service, temporal, open);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
    }
    List<WorkflowExecutionInfo> runs = new ArrayList<>();
    ByteString token = ByteString.EMPTY;
    do {
      ListOpenWorkflowExecutionsResponse page =
          service.listOpenWorkflowExecutions(
              ListOpenWorkflowExecutionsRequest.newBuilder()
                  .setNamespace(temporal.namespace())
                  .setMaximumPageSize(PAGE_SIZE)
                  .setNextPageToken(token)
                  .build());
      for (WorkflowExecutionInfo run : page.getExecutionsList()) {
        WorkflowExecutionInfo described = run;
        String taskQueue = run.getTaskQueue();
        if (taskQueue.isEmpty() || !run.hasSearchAttributes()) {
          // The test server leaves the task queue and search attributes out of listings.
          DescribeWorkflowExecutionResponse description =
              temporal.describe(run.getExecution().getWorkflowId());
          described = description.getWorkflowExecutionInfo();
          taskQueue = description.getExecutionConfig().getTaskQueue().getName();
        }
        if (taskQueue.equals(temporal.taskQueue())) {
          runs.add(described);
        }
      }
      token = page.getNextPageToken();
    } while (!token.isEmpty() && runs.size() < MAX_RUNS);
    return runs;
  }

  private static List<WorkflowExecutionInfo> query(
      WorkflowServiceGrpc.WorkflowServiceBlockingStub service,
      TemporalConnection temporal,
      String query) {
    List<WorkflowExecutionInfo> runs = new ArrayList<>();
    ByteString token = ByteString.EMPTY;
    do {
      ListWorkflowExecutionsResponse page =
          service.listWorkflowExecutions(
              ListWorkflowExecutionsRequest.newBuilder()
                  .setNamespace(temporal.namespace())
                  .setPageSize(PAGE_SIZE)
                  .setNextPageToken(token)
                  .setQuery(query)
                  .build());
      runs.addAll(page.getExecutionsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty() && runs.size() < MAX_RUNS);
    return runs;
  }
}
