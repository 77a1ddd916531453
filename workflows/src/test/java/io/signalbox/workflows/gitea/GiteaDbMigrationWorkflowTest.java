package io.signalbox.workflows.gitea;

import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.copy.CheckTargetResult;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.CopyEstimate;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.copy.TableStats;
import io.signalbox.workflows.copy.TableStatsResult;
import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleInput;
import io.signalbox.workflows.core.Phase;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookStatus;
import io.signalbox.workflows.core.Signals;
import io.signalbox.workflows.testing.MigrationMocks;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCanceledException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

/** Every gate and failure path of GiteaDbMigration and the compensation after it (mocked steps). */
// A workflow bug shows as a workflow task retried forever: fail the test instead of hanging.
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GiteaDbMigrationWorkflowTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              GiteaDbMigrationWorkflowImpl.class, PostgresCopyWorkflowImpl.class)
          // A cancel reaches an activity with its next heartbeat, throttled by default to 0.8 ×
          // the heartbeat timeout (48 s): keep the cancel test quick.
          .setWorkerOptions(
              WorkerOptions.newBuilder()
                  .setMaxHeartbeatThrottleInterval(Duration.ofMillis(100))
                  .build())
          .setDoNotStart(true)
          .build();

  private final MigrationMocks mocks = new MigrationMocks();
  private final PostgresActivities postgres = mocks.postgres;
  private final KubernetesActivities kube = mocks.kube;
  private final CommandActivities commands = mocks.commands;
  private final HealthCheckActivities health = mocks.health;
  private final CopyActivities copy = mocks.copy;

  private static final ServerDescription DB =
      new ServerDescription(
          "gitea@old:5432/gitea",
          150008,
          "15.8",
          "PostgreSQL 15.8",
          5_000_000,
          List.of(),
          3,
          "UTF8",
          "C.UTF-8",
          false);

  private static CopyActivities.VerificationReport report(boolean ok) {
    return new CopyActivities.VerificationReport(
        ok,
        ok ? "2 tables match" : "1 of 2 tables differ",
        true,
        12,
        ok ? 12 : 11,
        List.of(
            new CopyActivities.TableCheck(
                "public.repository",
                10L,
                ok ? 10L : 9L,
                "a",
                ok ? "a" : "b",
                ok,
                ok ? null : "row count 10 != 9"),
            new CopyActivities.TableCheck("public.\"user\"", 2L, 2L, "c", "c", true, null)),
        List.of(),
        List.of());
  }

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(postgres.describe(any())).thenReturn(DB);
    when(postgres.checkTarget(any())).thenReturn(new CheckTargetResult(DB, List.of(), List.of()));
    when(kube.clusterHealth(any()))
        .thenReturn(
            new KubernetesActivities.KubeClusterHealth(
                "databases",
                "gitea-db",
                "Cluster in healthy state",
                2,
                2,
                "gitea-db-1",
                true,
                "2/2 instances ready"));
    when(kube.deploymentStatus(any()))
        .thenReturn(
            new KubernetesActivities.KubeDeploymentStatus(
                "Deployment", "gitea", "gitea", 3, 3, 3, List.of("gitea:1.22"), "app=gitea"));
    MigrationMocks.scalesFrom(kube, 3);
    when(kube.mergePatch(any()))
        .thenAnswer(
            i -> {
              KubernetesActivities.KubePatchInput in = i.getArgument(0);
              return new KubernetesActivities.KubePatchResult(
                  in.apiVersion(),
                  in.kind(),
                  in.namespace(),
                  in.name(),
                  true,
                  List.of("/data/host"),
                  null,
                  in.mergePatch() == null ? null : "gitea-db-signalbox-backup-x");
            });
    when(commands.run(any()))
        .thenAnswer(
            i -> {
              CommandActivities.CommandInput in = i.getArgument(0);
              return new CommandActivities.CommandOutput(
                  in.argv(), 0, false, 10, "", 0, "", "", 0, "");
            });
    when(health.waitHealthy(any()))
        .thenReturn(new HealthCheckActivities.HealthCheckResult(true, 2, 200, null, 100));
    when(copy.dump(any()))
        .thenAnswer(
            i -> {
              CopyActivities.DumpRequest in = i.getArgument(0);
              return new CopyActivities.DumpResult(
                  "/dumps/" + in.copyId(),
                  null,
                  "snap",
                  "2026-11-22T10:00:00Z",
                  2,
                  12,
                  900,
                  "15.8",
                  "15.8",
                  10);
            });
    when(copy.restore(any())).thenReturn(new CopyActivities.RestoreResult(false, 10, "15.8"));
    when(copy.verify(any())).thenReturn(report(true));
    when(postgres.tableStats(any()))
        .thenReturn(
            new TableStatsResult(
                List.of(new TableStats("public.repository", 10, null)), null, false));
    mocks.register(env, worker, client);
  }

  private static final String INPUT =
      """
      {"requestedBy": "alice",
       "approvals": {"approvers": ["bob"]},
       "source": {"host": "gitea-postgresql.gitea.svc", "database": "gitea", "user": "gitea",
                  "password": {"secret": {"namespace": "gitea", "name": "gitea-postgresql", "key": "password"}}},
       "target": {"host": "gitea-db-rw.databases.svc.cluster.local", "database": "gitea", "user": "gitea",
                  "password": {"secret": {"namespace": "databases", "name": "gitea-db-app", "key": "password"}}},
       "targetCluster": {"namespace": "databases", "name": "gitea-db"},
       "app": {"namespace": "gitea", "deployment": "gitea"},
       "switch": {"patches": [{"apiVersion": "v1", "kind": "Secret", "namespace": "gitea", "name": "gitea-db",
                               "mergePatch": {"stringData": {"host": "gitea-db-rw.databases.svc.cluster.local"}}}],
                  "command": {"argv": ["helm", "upgrade", "gitea", "gitea-charts/gitea", "--reuse-values"],
                              "rollbackArgv": ["helm", "rollback", "gitea"]}},
       "healthCheck": {"url": "http://gitea-http.gitea.svc:3000/api/healthz", "timeout": "PT5M"}%s}
      """;

  private WorkflowStub start(String extra) throws Exception {
    return mocks.start(
        GiteaDbMigrationWorkflow.TYPE, "gitea-db-migration-test", INPUT.formatted(extra));
  }

  private static void approve(WorkflowStub stub, String gate) {
    stub.signal("approve", new Signals.Approve(gate, "bob", "ok", null));
  }

  private static KubeScaleInput scaledTo(int replicas) {
    return argThat(s -> s != null && s.replicas() == replicas);
  }

  private static List<String> steps(RunbookResult r) {
    return r.steps().stream().map(s -> s.name() + ":" + s.state()).toList();
  }

  /**
   * Issue 13: the freeze gate shows how long the copy will take, from the source's size and the
   * rate the safety backup's dump had on this worker (restore and verify at the benchmark's ratio).
   */
  @Test
  void theFreezeReportShowsTheExpectedCopyTimeFromTheSafetyBackupsRate() throws Exception {
    doAnswer(
            i -> {
              Thread.sleep(1100); // a dump that takes time, so the workflow clock measures some
              CopyActivities.DumpRequest in = i.getArgument(0);
              return new CopyActivities.DumpResult(
                  "/dumps/" + in.copyId(), null, "snap", "t", 2, 12, 900, "15.8", "15.8", 1100);
            })
        .when(copy)
        .dump(any());
    WorkflowStub stub = start("");
    RunbookStatus freezeGate = atGate(stub, "freeze");
    JsonNode expected = freezeGate.pendingGate().report().path("expectedCopy");
    long seconds = expected.path("expectedSeconds").asLong();
    // At least the 1.1 s dump, times (1 + restore and verify per dump).
    assertThat(seconds)
        .isGreaterThanOrEqualTo(Math.round(1.1 * (1 + CopyEstimate.RESTORE_AND_VERIFY_PER_DUMP)));
    assertThat(expected.path("sizeBytes").asLong()).isEqualTo(DB.sizeBytes());
    assertThat(expected.path("basis").asText())
        .startsWith("the safety backup's dump (5.0 MB dumped at ")
        .contains("restore and verify taken as 2.6 × the dump");
    assertThat(expected.path("text").asText())
        .startsWith("expected copy time ≈ " + CopyEstimate.duration(seconds) + " from 5.0 MB");
    assertThat(freezeGate.pendingGate().prompt())
        .contains("(expected to take about " + CopyEstimate.duration(seconds) + ")");
  }

  @Test
  void withoutASafetyBackupTheFreezeReportSaysTheCopyTimeIsUnknown() throws Exception {
    WorkflowStub stub = start(", \"safetyBackup\": false");
    RunbookStatus freezeGate = atGate(stub, "freeze");
    assertThat(freezeGate.pendingGate().report().path("expectedCopy").path("text").asText())
        .isEqualTo(
            "expected copy time unknown: no safety backup ran on this worker to measure its rate");
    assertThat(freezeGate.pendingGate().prompt()).doesNotContain("expected to take");
  }

  @Test
  void approvedMigrationSwitchesTheAppAndKeepsTheOldDatabase() throws Exception {
    WorkflowStub stub = start("");
    RunbookStatus freezeGate = atGate(stub, "freeze");
    assertThat(freezeGate.pendingGate().report().path("safetyBackup").asText())
        .isEqualTo("/dumps/gitea-db-migration-test-safety");
    verify(kube, never()).scale(any());
    approve(stub, "freeze");

    RunbookStatus switchGate = atGate(stub, "switch");
    assertThat(switchGate.pendingGate().report().path("summary").asText())
        .isEqualTo("2 tables match");
    assertThat(switchGate.pendingGate().report().path("tables")).hasSize(2);
    approve(stub, "switch");

    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.verification().path("matches").asBoolean()).isTrue();
    assertThat(steps(result))
        .containsExactly(
            "preflight:DONE",
            "safety-backup:DONE",
            "freeze:DONE",
            "freeze-writes:DONE",
            "copy:DONE",
            "switch:DONE",
            "switch:Secret/gitea/gitea-db:DONE",
            "switch:command:DONE",
            "start-app:DONE",
            "health-check:DONE");
    InOrder order = inOrder(kube, copy, commands, health);
    order.verify(copy).dump(argThat(d -> d.copyId().endsWith("-safety")));
    order.verify(kube).scale(scaledTo(0));
    order.verify(copy).dump(argThat(d -> d.copyId().equals("gitea-db-migration-test")));
    order.verify(copy).restore(any());
    order.verify(copy).verify(any());
    order.verify(kube).mergePatch(argThat(p -> p.mergePatch() != null));
    order.verify(commands).run(argThat(c -> c.argv().get(1).equals("upgrade")));
    order.verify(kube).scale(scaledTo(3));
    order.verify(health).waitHealthy(any());
    verify(commands, never()).run(argThat(c -> c.argv().get(1).equals("rollback")));
  }

  @Test
  void rejectingTheFreezeChangesNothing() throws Exception {
    WorkflowStub stub = start("");
    atGate(stub, "freeze");
    stub.signal("reject", new Signals.Reject("freeze", "bob", "not tonight"));
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("GateRejected");
    assertThat(f.getOriginalMessage()).contains("not tonight").contains("Nothing had been changed");
    verify(kube, never()).scale(any());
    verify(kube, never()).mergePatch(any());
  }

  @Test
  void rejectingTheSwitchScalesTheAppBackOnTheOldDatabase() throws Exception {
    WorkflowStub stub = start("");
    atGate(stub, "freeze");
    approve(stub, "freeze");
    atGate(stub, "switch");
    stub.signal("reject", new Signals.Reject("switch", "bob", "counts look odd"));
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("GateRejected");
    RunbookResult r = f.getDetails().get(RunbookResult.class);
    assertThat(r.outcome()).isEqualTo("ROLLED_BACK");
    assertThat(r.verification().path("matches").asBoolean()).isTrue();
    InOrder order = inOrder(kube);
    order.verify(kube).scale(scaledTo(0));
    order.verify(kube).scale(scaledTo(3));
    verify(kube, never()).mergePatch(any());
    verify(commands, never()).run(any());
  }

  @Test
  void aVerificationMismatchNamesTheTableAndScalesTheAppBack() throws Exception {
    when(copy.verify(any())).thenReturn(report(false));
    WorkflowStub stub = start("");
    atGate(stub, "freeze");
    approve(stub, "freeze");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("VerificationFailed");
    assertThat(f.getOriginalMessage()).contains("public.repository: row count 10 != 9");
    RunbookResult r = f.getDetails().get(RunbookResult.class);
    assertThat(r.verification().path("matches").asBoolean()).isFalse();
    verify(kube).scale(scaledTo(3));
    verify(kube, never()).mergePatch(any());
  }

  @Test
  void aFailedHealthCheckUndoesEverythingInReverse() throws Exception {
    when(health.waitHealthy(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "http://gitea-http.gitea.svc:3000/api/healthz was not healthy within PT5M",
                "HealthCheckFailed"));
    WorkflowStub stub = start("");
    atGate(stub, "freeze");
    approve(stub, "freeze");
    atGate(stub, "switch");
    approve(stub, "switch");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("HealthCheckFailed");
    assertThat(f.getOriginalMessage())
        .contains("Undone: start-app, switch:command, switch:Secret/gitea/gitea-db, freeze-writes");
    InOrder order = inOrder(kube, commands);
    order.verify(kube).scale(scaledTo(3)); // start-app
    order.verify(kube).scale(scaledTo(0)); // undo start-app
    order.verify(commands).run(argThat(c -> c.argv().get(1).equals("rollback")));
    order.verify(kube).mergePatch(argThat(p -> p.restoreFromBackup() != null));
    order.verify(kube).scale(scaledTo(3)); // undo freeze: back on the old database
    assertThat(f.getDetails().get(RunbookResult.class).outcome()).isEqualTo("ROLLED_BACK");
  }

  @Test
  void anUnhealthyTargetClusterStopsTheRunAtPreflight() throws Exception {
    when(kube.clusterHealth(any()))
        .thenReturn(
            new KubernetesActivities.KubeClusterHealth(
                "databases",
                "gitea-db",
                "Creating a new replica",
                2,
                1,
                "gitea-db-1",
                false,
                "1 of 2 instances ready"));
    WorkflowStub stub = start("");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("PreconditionFailed");
    assertThat(f.getOriginalMessage())
        .contains("databases/gitea-db is not healthy: 1 of 2 instances ready");
    verify(copy, never()).dump(any());
    verify(kube, never()).scale(any());
  }

  @Test
  void clientToolsOlderThanAServerStopTheRunAtPreflight() throws Exception {
    when(copy.checkTools(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "the PostgreSQL client tools are version 15 but new runs PostgreSQL 17",
                "PreconditionFailed"));
    WorkflowStub stub = start("");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("PreconditionFailed");
    assertThat(f.getOriginalMessage()).contains("client tools are version 15");
    verify(copy, never()).dump(any());
    verify(kube, never()).scale(any());
  }

  @Test
  void aNonEmptyTargetStopsTheRunAtPreflight() throws Exception {
    when(postgres.checkTarget(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "target has 4 user tables", "PreconditionFailed"));
    WorkflowStub stub = start("");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("PreconditionFailed");
    verify(copy, never()).dump(any());
    verify(kube, never()).scale(any());
  }

  @Test
  void cancelDuringTheCopyScalesTheAppBackAfterTheRestoreHasStopped() throws Exception {
    CountDownLatch restoring = new CountDownLatch(1);
    AtomicBoolean restoreStopped = new AtomicBoolean();
    when(copy.restore(any()))
        .thenAnswer(
            i -> {
              // Like the real restore: heartbeats while pg_restore runs; a cancel delivered with
              // a heartbeat stops it, which takes a moment (SIGTERM, then the tree exits).
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
    atGate(stub, "freeze");
    approve(stub, "freeze");
    assertThat(restoring.await(20, TimeUnit.SECONDS)).isTrue();
    stub.cancel();
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    // The migration waits for its PostgresCopy child, which waits for its restore activity.
    assertThat(restoreStopped).as("the restore had stopped when the run ended").isTrue();
    verify(kube).scale(scaledTo(3));
    verify(kube, never()).mergePatch(any());
    assertThat(stub.query("status", RunbookStatus.class).phase()).isEqualTo(Phase.CANCELLED);
  }

  @Test
  void theSafetyBackupCarriesContentChecksums() throws Exception {
    WorkflowStub stub = start("");
    atGate(stub, "freeze");
    verify(copy).dump(argThat(d -> d.copyId().endsWith("-safety") && d.checksums()));
    stub.signal("reject", new Signals.Reject("freeze", "bob", "only the backup"));
    assertThat(failureOf(stub).getType()).isEqualTo("GateRejected");
  }

  @Test
  void anUnusableHostTimeoutStopsTheRunBeforeAnythingRuns() throws Exception {
    WorkflowStub stub = start(", \"copy\": {\"hostTimeout\": \"soon\"}");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("InvalidInput");
    assertThat(f.getOriginalMessage()).contains("copy.hostTimeout").contains("'soon'");
    verify(postgres, never()).describe(any());
    verify(copy, never()).dump(any());
    verify(kube, never()).scale(any());
  }

  @Test
  void withoutAnAppTheFreezeIsDatabaseLevelAndIsLiftedOnFailure() throws Exception {
    when(postgres.freeze(any()))
        .thenReturn(new io.signalbox.workflows.copy.FreezeResult("gitea", false, "r", 2));
    when(copy.verify(any())).thenReturn(report(false));
    WorkflowStub stub =
        mocks.start(
            GiteaDbMigrationWorkflow.TYPE,
            "plain-copy",
            """
            {"requestedBy": "alice", "safetyBackup": false,
             "source": {"host": "old", "database": "app", "user": "app"},
             "target": {"host": "new", "database": "app", "user": "app"}}
            """);
    atGate(stub, "freeze");
    stub.signal("approve", new Signals.Approve("freeze", "bob", null, null));
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("VerificationFailed");
    InOrder order = inOrder(postgres);
    order.verify(postgres).freeze(any());
    order.verify(postgres).unfreeze(argThat(u -> u.force() == null || !u.force()));
    verify(kube, never()).scale(any());
  }

  @Test
  void aDryRunReportsThePlanAndChangesNothing() throws Exception {
    WorkflowStub stub = start(", \"dryRun\": true");
    RunbookResult r = stub.getResult(RunbookResult.class);
    assertThat(r.outcome()).isEqualTo("COMPLETED");
    assertThat(r.plan().path("copy").path("rows").asLong()).isEqualTo(10);
    assertThat(r.plan().path("steps").toString()).contains("scale gitea/gitea to 0");
    verify(copy, never()).dump(any());
    verify(kube, never()).scale(any());
    verify(kube, never()).mergePatch(any());
    verify(commands, never()).run(any());
  }
}
