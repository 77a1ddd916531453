package io.signalbox.workflows.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.Phase;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookStatus;
import io.signalbox.workflows.core.StepRecord;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * PostgresCopy's flow with mocked activities: routing, a lost dump host, verification failures,
 * cancellation, dry run.
 */
// A workflow bug shows as a workflow task retried forever: fail the test instead of hanging.
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresCopyWorkflowTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOST_QUEUE = "signalbox-host-a";

  /** A dump host's queue whose worker is gone (a pod recreated under a new name): no worker. */
  private static final String GONE_QUEUE = "signalbox-host-gone";

  /**
   * A dump host's queue whose worker (its own factory, one activity at a time) fails the one
   * activity it takes and dies with it, as a pod killed mid-restore and recreated under a new name.
   */
  private static final String DYING_QUEUE = "signalbox-host-dying";

  /**
   * A cancel reaches an activity with its next heartbeat; by default heartbeats are throttled to
   * 0.8 × the heartbeat timeout (48 s). Keep the cancel tests quick.
   */
  private static final WorkerOptions QUICK_HEARTBEATS =
      WorkerOptions.newBuilder().setMaxHeartbeatThrottleInterval(Duration.ofMillis(100)).build();

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(PostgresCopyWorkflowImpl.class)
          .setWorkerOptions(QUICK_HEARTBEATS)
          .setDoNotStart(true)
          .build();

  private final PostgresActivities postgres =
      mock(PostgresActivities.class, withSettings().withoutAnnotations());
  private final CopyActivities anyHost =
      mock(CopyActivities.class, withSettings().withoutAnnotations());
  private final CopyActivities dumpHost =
      mock(CopyActivities.class, withSettings().withoutAnnotations());
  private final CopyActivities dyingHost =
      mock(CopyActivities.class, withSettings().withoutAnnotations());
  private WorkerFactory dyingHostFactory;
  private final InputActivities inputs =
      mock(InputActivities.class, withSettings().withoutAnnotations());
  private final EvidenceActivities evidence =
      mock(EvidenceActivities.class, withSettings().withoutAnnotations());

  private WorkflowClient client;
  private String taskQueue;

  private static final ServerDescription SOURCE =
      new ServerDescription(
          "gitea@old:5432/gitea",
          150008,
          "15.8",
          "PostgreSQL 15.8",
          1_000_000,
          List.of(),
          3,
          "UTF8",
          "C.UTF-8",
          false);

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
    when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("e/1", null, null));
    when(postgres.describe(any())).thenReturn(SOURCE);
    when(postgres.checkTarget(any()))
        .thenReturn(new CheckTargetResult(SOURCE, List.of(), List.of()));
    when(anyHost.dump(any())).thenReturn(dumpOn(HOST_QUEUE, "/dumps/c1"));
    when(dumpHost.restore(any())).thenReturn(new CopyActivities.RestoreResult(false, 800, "15.8"));
    worker.registerActivitiesImplementations(postgres, anyHost, inputs, evidence);
    Worker onDumpHost = env.newWorker(HOST_QUEUE, QUICK_HEARTBEATS);
    onDumpHost.registerActivitiesImplementations(dumpHost);
    dyingHostFactory = WorkerFactory.newInstance(client);
    Worker dying =
        dyingHostFactory.newWorker(
            DYING_QUEUE,
            WorkerOptions.newBuilder(QUICK_HEARTBEATS)
                .setMaxConcurrentActivityExecutionSize(1)
                .build());
    dying.registerActivitiesImplementations(dyingHost);
    env.start();
    dyingHostFactory.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  @AfterEach
  void stopDyingHost() {
    dyingHostFactory.shutdownNow();
  }

  private WorkflowStub start(String extra) throws Exception {
    return start("{\"jobs\": 2}", extra);
  }

  private WorkflowStub start(String copy, String extra) throws Exception {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            PostgresCopyWorkflow.TYPE,
            WorkflowOptions.newBuilder().setTaskQueue(taskQueue).setWorkflowId("copy-1").build());
    stub.start(
        JSON.readTree(
            """
            {"requestedBy": "alice",
             "source": {"host": "old", "database": "gitea", "user": "gitea",
                        "password": {"env": "SRC_PW"}},
             "target": {"host": "new", "database": "gitea", "user": "gitea"},
             "copy": %s%s}
            """
                .formatted(copy, extra)));
    return stub;
  }

  private static CopyActivities.DumpResult dumpOn(String hostQueue, String path) {
    return new CopyActivities.DumpResult(
        path, hostQueue, "00000003-1", "2026-11-22T10:00:00Z", 3, 42, 9000, "15.8", "15.8", 1200);
  }

  private static List<String> steps(List<StepRecord> steps) {
    return steps.stream().map(s -> s.name() + ":" + s.state()).toList();
  }

  private static CopyActivities.VerificationReport report(boolean ok) {
    return new CopyActivities.VerificationReport(
        ok,
        ok ? "3 tables match" : "1 of 3 tables differ",
        true,
        42,
        ok ? 42 : 41,
        List.of(
            new CopyActivities.TableCheck(
                "public.\"user\"",
                10L,
                ok ? 10L : 9L,
                "1",
                ok ? "1" : "2",
                ok,
                ok ? null : "row count 10 != 9"),
            new CopyActivities.TableCheck("public.repo", 30L, 30L, "5", "5", true, null),
            new CopyActivities.TableCheck("public.issue", 2L, 2L, "7", "7", true, null)),
        List.of(),
        List.of());
  }

  @Test
  void dumpsThenRestoresAndVerifiesOnTheWorkerThatHoldsTheDump() throws Exception {
    when(dumpHost.verify(any())).thenReturn(report(true));
    WorkflowStub stub = start("");
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.verification().path("matches").asBoolean()).isTrue();
    assertThat(result.verification().path("tables")).hasSize(3);
    assertThat(result.steps())
        .extracting(s -> s.name() + ":" + s.state())
        .containsExactly("preflight:DONE", "dump:DONE", "restore:DONE", "verify:DONE");
    verify(anyHost)
        .dump(
            org.mockito.ArgumentMatchers.argThat(
                d -> d.copyId().equals("copy-1") && d.checksums() && d.jobs() == 2));
    verify(dumpHost)
        .restore(org.mockito.ArgumentMatchers.argThat(r -> r.dumpPath().equals("/dumps/c1")));
    verify(anyHost, never()).restore(any());
    verify(anyHost, never()).verify(any());
  }

  @Test
  void aMismatchFailsWithVerificationFailedNamingTheTable() throws Exception {
    when(dumpHost.verify(any())).thenReturn(report(false));
    WorkflowStub stub = start("");
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    ApplicationFailure failure = (ApplicationFailure) e.getCause();
    assertThat(failure.getType()).isEqualTo("VerificationFailed");
    assertThat(failure.getOriginalMessage())
        .contains("public.\"user\": row count 10 != 9")
        .contains("left as it is for inspection")
        .doesNotContain("public.repo");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(result.verification().path("matches").asBoolean()).isFalse();
    assertThat(result.steps())
        .extracting(s -> s.name() + ":" + s.state())
        .containsExactly("preflight:DONE", "dump:DONE", "restore:DONE", "verify:DONE");
  }

  @Test
  void aTargetThatIsNotEmptyStopsTheCopyBeforeTheDump() throws Exception {
    when(postgres.checkTarget(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "target new/gitea has 4 user tables", "PreconditionFailed"));
    WorkflowStub stub = start("");
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    ApplicationFailure failure = (ApplicationFailure) e.getCause();
    assertThat(failure.getType()).isEqualTo("PreconditionFailed");
    assertThat(failure.getOriginalMessage()).contains("4 user tables");
    verify(anyHost, never()).dump(any());
    verify(dumpHost, never()).restore(any());
  }

  @Test
  void aDryRunReportsThePlanAndCopiesNothing() throws Exception {
    when(postgres.tableStats(any()))
        .thenReturn(
            new TableStatsResult(
                List.of(
                    new TableStats("public.repo", 30, null),
                    new TableStats("public.issue", 2, null)),
                null,
                false));
    WorkflowStub stub = start(", \"dryRun\": true");
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.plan().path("rows").asLong()).isEqualTo(32);
    assertThat(result.plan().path("tables").asInt()).isEqualTo(2);
    assertThat(result.steps())
        .extracting(s -> s.name() + ":" + s.state())
        .containsExactly("preflight:DONE", "plan:DONE", "dump:SKIPPED", "restore:SKIPPED");
    verify(anyHost, never()).dump(any());
    verify(dumpHost, never()).restore(any());
  }

  @Test
  void aDumpHostThatNeverComesBackIsReplacedByAFreshDumpOnAnyWorker() throws Exception {
    when(anyHost.dump(any()))
        .thenReturn(dumpOn(GONE_QUEUE, "/dumps/gone/c1"), dumpOn(HOST_QUEUE, "/dumps/a/c1"));
    when(dumpHost.verify(any())).thenReturn(report(true));
    // The test server does not skip time while an activity waits in a queue: real seconds.
    WorkflowStub stub = start("{\"jobs\": 2, \"hostTimeout\": \"PT2S\"}", "");
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(steps(result.steps()))
        .containsExactly(
            "preflight:DONE",
            "dump:DONE",
            "restore:FAILED",
            "redo-copy:DONE",
            "restore:DONE",
            "verify:DONE");
    RunbookStatus status = stub.query("status", RunbookStatus.class);
    StepRecord redo =
        status.steps().stream().filter(s -> s.name().equals("redo-copy")).findFirst().orElseThrow();
    assertThat(redo.detail())
        .contains("task queue " + GONE_QUEUE)
        .contains("PT2S")
        .contains("redo 1 of 3")
        .contains("now on " + HOST_QUEUE);
    // The lost restore waited for the host timeout, then gave up.
    assertThat(
            java.time.Duration.between(
                java.time.Instant.parse(status.steps().get(2).startedAt()),
                java.time.Instant.parse(status.steps().get(2).endedAt())))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2));
    assertThat(status.steps().get(2).detail())
        .isEqualTo(
            "restore waited PT2S on task queue "
                + GONE_QUEUE
                + " and no worker took it: the worker that holds the dump is gone");
    org.mockito.InOrder order = org.mockito.Mockito.inOrder(anyHost, dumpHost);
    order
        .verify(anyHost)
        .dump(
            org.mockito.ArgumentMatchers.argThat(
                d -> d.copyId().equals("copy-1") && !d.dumpKey().contains("-redo-")));
    order
        .verify(anyHost)
        .dump(
            org.mockito.ArgumentMatchers.argThat(
                d -> d.copyId().equals("copy-1") && d.dumpKey().endsWith("-redo-1")));
    order
        .verify(dumpHost)
        .restore(
            org.mockito.ArgumentMatchers.argThat(
                r -> r.dumpPath().equals("/dumps/a/c1") && r.copyId().equals("copy-1")));
    order
        .verify(dumpHost)
        .verify(org.mockito.ArgumentMatchers.argThat(v -> v.dumpPath().equals("/dumps/a/c1")));
    verify(anyHost, never()).restore(any());
  }

  @Test
  void aDumpHostThatDiesDuringTheRestoreIsReplacedByAFreshDumpOnAnyWorker() throws Exception {
    when(anyHost.dump(any()))
        .thenReturn(dumpOn(DYING_QUEUE, "/dumps/dying/c1"), dumpOn(HOST_QUEUE, "/dumps/a/c1"));
    when(dumpHost.verify(any())).thenReturn(report(true));
    // The host's worker takes the first restore attempt and dies with it: the attempt fails (the
    // test server does not skip time while an activity runs, so a heartbeat timeout would take a
    // real minute) and the worker stops polling before its one slot is free. The next attempt
    // waits on the dead queue until the host timeout (real seconds): the Java test server arms no
    // schedule-to-start timer for a server-side retry, so this run only ends if the workflow
    // schedules the attempt itself. Then the copy is redone from a fresh dump elsewhere.
    when(dyingHost.restore(any()))
        .thenAnswer(
            i -> {
              dyingHostFactory.shutdown();
              throw new IllegalStateException("pg_restore: connection to the worker's pod lost");
            });
    WorkflowStub stub = start("{\"jobs\": 2, \"hostTimeout\": \"PT2S\"}", "");
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(steps(result.steps()))
        .containsExactly(
            "preflight:DONE",
            "dump:DONE",
            "restore:FAILED",
            "redo-copy:DONE",
            "restore:DONE",
            "verify:DONE");
    RunbookStatus status = stub.query("status", RunbookStatus.class);
    assertThat(status.steps().get(2).detail())
        .isEqualTo(
            "restore waited PT2S on task queue "
                + DYING_QUEUE
                + " and no worker took it: the worker that holds the dump is gone");
    // A worker being shut down may still run a task its poller had already taken (seen under
    // load): that attempt dies the same way, so the dying host is called at least once, and the
    // restore that completed is the fresh dump's on the live host.
    verify(dyingHost, org.mockito.Mockito.atLeastOnce()).restore(any());
    verify(dumpHost)
        .restore(org.mockito.ArgumentMatchers.argThat(r -> r.dumpPath().equals("/dumps/a/c1")));
    verify(dumpHost)
        .verify(org.mockito.ArgumentMatchers.argThat(v -> v.dumpPath().equals("/dumps/a/c1")));
    verify(anyHost, org.mockito.Mockito.times(2)).dump(any());
  }

  @Test
  void aTransientFailureOnALiveHostIsTriedFiveTimesThenFails() throws Exception {
    when(dumpHost.restore(any()))
        .thenThrow(ApplicationFailure.newFailure("connection reset by the target", "Transient"));
    WorkflowStub stub = start("");
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));

    assertThat(e).isNotNull();
    verify(dumpHost, org.mockito.Mockito.times(5)).restore(any());
    verify(dumpHost, never()).verify(any());
    verify(anyHost, org.mockito.Mockito.times(1)).dump(any());
    RunbookStatus status = stub.query("status", RunbookStatus.class);
    assertThat(steps(status.steps()))
        .containsExactly("preflight:DONE", "dump:DONE", "restore:FAILED");
    assertThat(status.steps().get(2).detail()).contains("connection reset by the target");
  }

  @Test
  void aNonRetryableFailureOnTheHostIsNotTriedAgain() throws Exception {
    when(dumpHost.restore(any()))
        .thenThrow(ApplicationFailure.newFailure("the dump is not readable", "InvalidInput"));
    WorkflowStub stub = start("");
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));

    assertThat(e).isNotNull();
    verify(dumpHost, org.mockito.Mockito.times(1)).restore(any());
  }

  @Test
  void redoingTheCopyIsBounded() throws Exception {
    when(anyHost.dump(any())).thenReturn(dumpOn(GONE_QUEUE, "/dumps/gone/c1"));
    WorkflowStub stub = start("{\"hostTimeout\": \"PT1S\"}", "");
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    ApplicationFailure failure = (ApplicationFailure) e.getCause();
    assertThat(failure.getType()).isEqualTo("StepFailed");
    assertThat(failure.getOriginalMessage())
        .contains("redone from a fresh dump 3 times")
        .contains("PT1S")
        .contains(GONE_QUEUE)
        .contains("SIGNALBOX_HOST_TASK_QUEUE")
        .contains("SIGNALBOX_SHARED_DUMP_DIR=true");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(steps(result.steps()))
        .containsExactly(
            "preflight:DONE",
            "dump:DONE",
            "restore:FAILED",
            "redo-copy:DONE",
            "restore:FAILED",
            "redo-copy:DONE",
            "restore:FAILED",
            "redo-copy:DONE",
            "restore:FAILED");
    verify(anyHost, org.mockito.Mockito.times(4)).dump(any());
    verify(dumpHost, never()).restore(any());
  }

  @Test
  void anUnusableHostTimeoutIsInvalidInputNamingTheField() throws Exception {
    for (String bad : List.of("ten minutes", "PT0S")) {
      WorkflowStub stub =
          client.newUntypedWorkflowStub(
              PostgresCopyWorkflow.TYPE,
              WorkflowOptions.newBuilder()
                  .setTaskQueue(taskQueue)
                  .setWorkflowId("copy-bad-" + bad.length())
                  .build());
      stub.start(
          JSON.readTree(
              """
              {"requestedBy": "alice",
               "source": {"host": "old", "database": "gitea", "user": "gitea"},
               "target": {"host": "new", "database": "gitea", "user": "gitea"},
               "copy": {"hostTimeout": "%s"}}
              """
                  .formatted(bad)));
      WorkflowFailedException e =
          catchThrowableOfType(
              WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
      ApplicationFailure failure = (ApplicationFailure) e.getCause();
      assertThat(failure.getType()).as(bad).isEqualTo("InvalidInput");
      assertThat(failure.getOriginalMessage()).contains("copy.hostTimeout").contains(bad);
    }
    verify(postgres, never()).describe(any());
    verify(anyHost, never()).dump(any());
  }

  @Test
  void aCancelledCopyEndsOnlyAfterItsRestoreHasStopped() throws Exception {
    CountDownLatch restoring = new CountDownLatch(1);
    AtomicBoolean restoreStopped = new AtomicBoolean();
    when(dumpHost.restore(any()))
        .thenAnswer(
            i -> {
              // Like the real restore: heartbeats while pg_restore runs, and a cancel delivered
              // with a heartbeat stops it; stopping takes a moment (SIGTERM, then the tree exits).
              ActivityExecutionContext ctx = Activity.getExecutionContext();
              restoring.countDown();
              try {
                while (true) {
                  ctx.heartbeat("restoring");
                  Thread.sleep(20);
                }
              } catch (ActivityCanceledException cancelled) {
                Thread.sleep(500);
                restoreStopped.set(true);
                throw cancelled;
              }
            });
    WorkflowStub stub = start("");
    assertThat(restoring.await(20, TimeUnit.SECONDS)).isTrue();
    stub.cancel();
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    assertThat(restoreStopped).as("the restore had stopped when the run ended").isTrue();
    RunbookStatus status = stub.query("status", RunbookStatus.class);
    assertThat(status.phase()).isEqualTo(Phase.CANCELLED);
    assertThat(steps(status.steps()))
        .containsExactly("preflight:DONE", "dump:DONE", "restore:FAILED");
  }
}
