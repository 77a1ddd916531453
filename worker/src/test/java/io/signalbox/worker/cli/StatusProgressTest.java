package io.signalbox.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.worker.DevServer;
import io.signalbox.workflows.copy.CopyProgress;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code status} and {@code status --watch} show a running copy's progress from its heartbeat
 * (issue 13): a parent run whose child holds a dump activity mid-copy, on a port-bound Temporal
 * test server, the CLI in-process.
 */
@Timeout(120)
class StatusProgressTest {
  private static final String TASK_QUEUE = "status-progress-test";

  /** What the held dump heartbeats: 35 % of 1.9 GB, 23 of 66 tables. */
  static final CopyProgress MID_COPY =
      new CopyProgress(
          "dump", "data", 670_000_000L, 1_900_000_000L, 23, 66, 38_200_000L, 33L, null, 12);

  /** What it heartbeats once the test has advanced it: 70 %, 50 of 66 tables. */
  static final CopyProgress LATER =
      new CopyProgress(
          "dump", "data", 1_330_000_000L, 1_900_000_000L, 50, 66, 38_000_000L, 15L, null, 30);

  static final CountDownLatch ADVANCE = new CountDownLatch(1);
  static final CountDownLatch RELEASE = new CountDownLatch(1);

  private static DevServer server;
  private static WorkflowServiceStubs stubs;
  private static WorkerFactory workers;
  private static String address;

  /** A runbook-like run: a {@code status} query; as a parent it runs the copy as its child. */
  @WorkflowInterface
  public interface HeldCopyWorkflow {
    @WorkflowMethod(name = "HeldCopy")
    String run(boolean parent);

    @QueryMethod(name = "status")
    Map<String, Object> status();
  }

  /** The copy's dump, named as PostgresCopy's is. */
  @ActivityInterface(namePrefix = "Copy")
  public interface HeldDump {
    @ActivityMethod
    void dump();
  }

  public static class HeldCopyWorkflowImpl implements HeldCopyWorkflow {
    private String step = "preflight";

    @Override
    public String run(boolean parent) {
      step = "copy";
      if (parent) {
        return Workflow.newChildWorkflowStub(
                HeldCopyWorkflow.class,
                ChildWorkflowOptions.newBuilder()
                    .setWorkflowId(Workflow.getInfo().getWorkflowId() + "-copy")
                    .build())
            .run(false);
      }
      Workflow.newActivityStub(
              HeldDump.class,
              ActivityOptions.newBuilder()
                  .setStartToCloseTimeout(Duration.ofMinutes(2))
                  // The SDK sends a new heartbeat every 0.8 × this: the test waits for the second.
                  .setHeartbeatTimeout(Duration.ofSeconds(2))
                  .build())
          .dump();
      step = "done";
      return "copied";
    }

    @Override
    public Map<String, Object> status() {
      return Map.of("runbook", "HeldCopy", "phase", "RUNNING", "step", step);
    }
  }

  /** Heartbeats {@link #MID_COPY}, then {@link #LATER} once advanced, until released. */
  public static class HeldDumpImpl implements HeldDump {
    @Override
    public void dump() {
      try {
        while (!RELEASE.await(100, TimeUnit.MILLISECONDS)) {
          Activity.getExecutionContext().heartbeat(ADVANCE.getCount() == 0 ? LATER : MID_COPY);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @BeforeAll
  static void startServerAndWorker() {
    server = DevServer.start(DevServer.freePort());
    address = "127.0.0.1:" + server.port();
    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    workers = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
    Worker worker = workers.newWorker(TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(HeldCopyWorkflowImpl.class);
    worker.registerActivitiesImplementations(new HeldDumpImpl());
    workers.start();
  }

  @AfterAll
  static void stop() {
    ADVANCE.countDown();
    RELEASE.countDown();
    workers.shutdownNow();
    stubs.shutdownNow();
    server.close();
  }

  @Test
  void statusOfTheParentShowsItsChildsCopyAndWatchFollowsItToTheEnd() throws Exception {
    WorkflowClient client = WorkflowClient.newInstance(stubs);
    HeldCopyWorkflow parent =
        client.newWorkflowStub(
            HeldCopyWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId("migration-1")
                .setTaskQueue(TASK_QUEUE)
                .build());
    WorkflowClient.start(parent::run, true);
    awaitHeartbeat("migration-1-copy");

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SignalboxCli.execute(
            new String[] {
              "status", "migration-1", "--address", address, "--task-queue", TASK_QUEUE
            },
            new PrintWriter(out),
            new PrintWriter(err));
    assertThat(code).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("Progress")
        .contains("migration-1-copy: dump (data), 12s")
        .contains(
            "[##########--------------------]  35%  670.0 MB of 1.9 GB, 23 of 66 tables,"
                + " 38.2 MB/s, ETA 33s");

    // --watch, not on a terminal: the status once, then lines, until the run ends.
    StringWriter watched = new StringWriter();
    CompletableFuture<Integer> watch =
        CompletableFuture.supplyAsync(
            () ->
                SignalboxCli.execute(
                    new String[] {
                      "status",
                      "migration-1",
                      "--watch",
                      "--interval",
                      "0.2",
                      "--address",
                      address,
                      "--task-queue",
                      TASK_QUEUE
                    },
                    new PrintWriter(watched, true),
                    new PrintWriter(new StringWriter())));
    // First the whole status with the progress as it is...
    awaitOutput(watched, "migration-1-copy: dump (data), 12s");
    // ...then a time-stamped line when a new heartbeat has other figures...
    ADVANCE.countDown();
    awaitOutput(
        watched,
        "migration-1-copy dump (data)  [#####################---------]  70%  1.3 GB of 1.9 GB,"
            + " 50 of 66 tables, 38.0 MB/s, ETA 15s");
    // ...and the whole status again when the run has ended, which ends the watch.
    RELEASE.countDown();
    assertThat(watch.get(60, TimeUnit.SECONDS)).isZero();
    String text = watched.toString();
    assertThat(text).doesNotContain("\u001b[");
    assertThat(text)
        .containsPattern("\\d\\d:\\d\\d:\\d\\d  migration-1-copy dump \\(data\\)  \\[#");
    assertThat(text.substring(text.indexOf("  70%  ")))
        .contains("Outcome       COMPLETED")
        .contains("Execution     COMPLETED");
  }

  @Test
  void watchAndJsonAreRefusedTogether() {
    StringWriter err = new StringWriter();
    int code =
        SignalboxCli.execute(
            new String[] {"status", "x", "--watch", "--json", "--address", address},
            new PrintWriter(new StringWriter()),
            new PrintWriter(err));
    assertThat(code).isEqualTo(CliException.USAGE);
    assertThat(err.toString()).contains("--watch and --json");
  }

  private static void awaitHeartbeat(String workflowId) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      try {
        var d =
            stubs
                .blockingStub()
                .describeWorkflowExecution(
                    DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace("default")
                        .setExecution(
                            io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                                .setWorkflowId(workflowId))
                        .build());
        if (d.getPendingActivitiesList().stream().anyMatch(a -> a.hasHeartbeatDetails())) {
          return;
        }
      } catch (RuntimeException e) {
        // not started yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no heartbeat from " + workflowId);
  }

  private static void awaitOutput(StringWriter out, String text) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (Instant.now().isBefore(deadline)) {
      if (out.toString().contains(text)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("never printed '" + text + "'; printed:\n" + out);
  }
}
