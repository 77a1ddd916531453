package io.signalbox.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.WorkflowServiceGrpc;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code signalbox list}: the open runs on the Signalbox task queue with their phase, step and
 * pending gate (from each run's {@code status} query, asked in parallel).
 */
@Command(name = "list", description = "List open runs with their phase, step and pending gate.")
class ListCommand implements Callable<Integer> {
  private static final int PAGE_SIZE = 100;
  private static final int MAX_RUNS = 1000;

  @ParentCommand SignalboxCli root;
  @Spec CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    try (TemporalConnection temporal = TemporalConnection.open(root)) {
      List<WorkflowExecutionInfo> runs = openRuns(temporal);
      if (runs.isEmpty()) {
        out.printf(
            "No open runs on task queue %s in namespace %s.%n",
            temporal.taskQueue(), temporal.namespace());
        return 0;
      }
      runs.sort(
          Comparator.comparingLong((WorkflowExecutionInfo i) -> i.getStartTime().getSeconds()));
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("WORKFLOW ID", "TYPE", "PHASE", "STEP", "PENDING GATE", "STARTED"));
      ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, runs.size()));
      try {
        List<Future<JsonNode>> statuses = new ArrayList<>();
        for (WorkflowExecutionInfo run : runs) {
          statuses.add(
              pool.submit(() -> StatusCommand.query(temporal, run.getExecution().getWorkflowId())));
        }
        // All queries run at once; together they get the --timeout (a run without a worker
        // never answers, and must not hold up the list).
        long deadline =
            System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, root.timeoutSeconds));
        for (int i = 0; i < runs.size(); i++) {
          WorkflowExecutionInfo run = runs.get(i);
          JsonNode status = answer(statuses.get(i), deadline);
          rows.add(
              List.of(
                  run.getExecution().getWorkflowId(),
                  run.getType().getName(),
                  status == null ? "?" : StatusView.text(status, "phase"),
                  status == null
                      ? "(no answer to status: no worker?)"
                      : StatusView.text(status, "step"),
                  status == null ? "-" : StatusView.text(status.path("pendingGate"), "gate"),
                  StatusView.instant(run.getStartTime())));
        }
      } finally {
        pool.shutdownNow();
      }
      Table.print(out, rows);
    }
    return 0;
  }

  private static JsonNode answer(Future<JsonNode> status, long deadline)
      throws InterruptedException {
    try {
      return status.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return null;
    }
  }

  /**
   * The open runs on our task queue. Uses the visibility query API ({@code
   * ListWorkflowExecutions}); where the server does not implement it (the Temporal Java test server
   * behind {@code ./signalbox dev}), falls back to {@code ListOpenWorkflowExecutions} and filters
   * by task queue here.
   */
  static List<WorkflowExecutionInfo> openRuns(TemporalConnection temporal) {
    WorkflowServiceGrpc.WorkflowServiceBlockingStub service =
        temporal.stubs().blockingStub().withDeadlineAfter(30, TimeUnit.SECONDS);
    List<WorkflowExecutionInfo> runs = new ArrayList<>();
    try {
      ByteString token = ByteString.EMPTY;
      do {
        ListWorkflowExecutionsResponse page =
            service.listWorkflowExecutions(
                ListWorkflowExecutionsRequest.newBuilder()
                    .setNamespace(temporal.namespace())
                    .setPageSize(PAGE_SIZE)
                    .setNextPageToken(token)
                    .setQuery(
                        "ExecutionStatus = 'Running' AND TaskQueue = '"
                            + temporal.taskQueue().replace("'", "")
                            + "'")
                    .build());
        runs.addAll(page.getExecutionsList());
        token = page.getNextPageToken();
      } while (!token.isEmpty() && runs.size() < MAX_RUNS);
      return runs;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
        throw e;
      }
    }
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
        String taskQueue = run.getTaskQueue();
        if (taskQueue.isEmpty()) {
          // The test server leaves the task queue out of listings: ask each run.
          taskQueue =
              temporal
                  .describe(run.getExecution().getWorkflowId())
                  .getExecutionConfig()
                  .getTaskQueue()
                  .getName();
        }
        if (taskQueue.equals(temporal.taskQueue())) {
          runs.add(run);
        }
      }
      token = page.getNextPageToken();
    } while (!token.isEmpty() && runs.size() < MAX_RUNS);
    return runs;
  }
}
