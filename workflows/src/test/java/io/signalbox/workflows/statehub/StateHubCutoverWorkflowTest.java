package io.signalbox.workflows.statehub;

import static io.signalbox.workflows.testing.MigrationMocks.mockOf;
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
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.backup.BackupHistoryActivities;
import io.signalbox.workflows.copy.CheckTargetResult;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.CopyEstimate;
import io.signalbox.workflows.copy.FreezeResult;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.copy.SchemaObject;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.copy.UnfreezeResult;
import io.signalbox.workflows.core.ApprovalRecord;
import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.Signals;
import io.signalbox.workflows.testing.MigrationMocks;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

/**
 * StateHubCutover's gate timeouts, cancel and failure paths with mocked steps and time skipping,
 * and the compensation after each.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StateHubCutoverWorkflowTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              StateHubCutoverWorkflowImpl.class, PostgresCopyWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final MigrationMocks mocks = new MigrationMocks();
  private final PostgresActivities postgres = mocks.postgres;
  private final KubernetesActivities kube = mocks.kube;
  private final CommandActivities commands = mocks.commands;
  private final HealthCheckActivities health = mocks.health;
  private final CopyActivities copy = mocks.copy;
  private final BackupHistoryActivities history = mockOf(BackupHistoryActivities.class);

  private static final ServerDescription DB =
      new ServerDescription(
          "hub@ws:5432/state_hub",
          150008,
          "15.8",
          "PostgreSQL 15.8",
          5_000_000,
          List.of(),
          3,
          "UTF8",
          "C.UTF-8",
          false);

  private static final CopyActivities.VerificationReport MATCH =
      new CopyActivities.VerificationReport(
          true,
          "3 tables match",
          true,
          521,
          521,
          List.of(
              new CopyActivities.TableCheck("public.entries", 500L, 500L, "a", "a", true, null)),
          List.of(),
          List.of());

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(history.read(any()))
        .thenReturn(
            new BackupHistoryActivities.HistoryResult(
                true,
                null,
                List.of(
                    new BackupHistoryActivities.DatabaseHistory(
                        "state_hub@ws",
                        Instant.ofEpochMilli(env.currentTimeMillis())
                            .minusSeconds(86_400)
                            .toString(),
                        "bv-1",
                        List.of()))));
    when(postgres.describe(any())).thenReturn(DB);
    when(postgres.checkTarget(any())).thenReturn(new CheckTargetResult(DB, List.of(), List.of()));
    SchemaInventory schema =
        new SchemaInventory(List.of(new SchemaObject("table", "public.entries", "")));
    when(postgres.inventory(any())).thenReturn(schema);
    when(postgres.freeze(any())).thenReturn(new FreezeResult("state_hub", false, "r", 2));
    when(postgres.unfreeze(any())).thenReturn(new UnfreezeResult("state_hub", true, true, null));
    when(copy.checkTools(any())).thenReturn(new CopyActivities.ToolsReport("15.8", "/usr/bin"));
    when(copy.dump(any()))
        .thenAnswer(
            i -> {
              CopyActivities.DumpRequest in = i.getArgument(0);
              return new CopyActivities.DumpResult(
                  "/dumps/" + in.copyId(),
                  null,
                  "s",
                  "2026-11-22T10:00:00Z",
                  3,
                  521,
                  900,
                  "15.8",
                  "15.8",
                  10);
            });
    when(copy.restore(any())).thenReturn(new CopyActivities.RestoreResult(false, 10, "15.8"));
    when(copy.verify(any())).thenReturn(MATCH);
    when(kube.deploymentStatus(any()))
        .thenReturn(
            new KubernetesActivities.KubeDeploymentStatus(
                "Deployment", "state-hub", "state-hub", 0, 0, 0, List.of(), "app=state-hub"));
    MigrationMocks.scalesFrom(kube, 0);
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
                  List.of("/data/API_BASE_URL"),
                  JSON.createObjectNode(),
                  null);
            });
    mocks.register(env, worker, client, history);
  }

  private static final String INPUT =
      """
      {"requestedBy": "alice",
       "approvals": {"approvers": ["bob"], "timeout": "PT2H"},
       "source": {"host": "ws", "database": "state_hub", "user": "hub"},
       "target": {"host": "state-hub-db-rw.databases.svc", "database": "state_hub", "user": "hub"},
       "app": {"namespace": "state-hub", "deployment": "state-hub", "replicas": 2},
       "switch": {"patches": [{"apiVersion": "v1", "kind": "ConfigMap", "namespace": "state-hub",
                               "name": "state-hub-config",
                               "mergePatch": {"data": {"API_BASE_URL": "http://state-hub:8000"}}}]},
       "healthCheck": {"url": "http://state-hub.state-hub.svc:8000/health", "timeout": "PT5M"}}
      """;

  private WorkflowStub start() throws Exception {
    return mocks.start(StateHubCutoverWorkflow.TYPE, "state-hub-cutover-test", INPUT);
  }

  private static void approve(WorkflowStub stub, String gate) {
    stub.signal("approve", new Signals.Approve(gate, "bob", "ok", null));
  }

  /** Issue 13: the freeze gate shows the copy time expected from the rehearsal copy's rate. */
  @Test
  void theFreezeReportShowsTheExpectedCopyTimeFromTheRehearsalsRate() throws Exception {
    doAnswer(
            i -> {
              Thread.sleep(1100); // a rehearsal that takes time, so the workflow clock measures it
              CopyActivities.DumpRequest in = i.getArgument(0);
              return new CopyActivities.DumpResult(
                  "/dumps/" + in.copyId(), null, "s", "t", 3, 521, 900, "15.8", "15.8", 1100);
            })
        .when(copy)
        .dump(any());
    WorkflowStub stub = start();
    JsonNode report = atGate(stub, "freeze").pendingGate().report();
    JsonNode expected = report.path("expectedCopy");
    long seconds = expected.path("expectedSeconds").asLong();
    assertThat(seconds)
        .isGreaterThanOrEqualTo(1)
        .isEqualTo(report.path("expectedWriteDowntimeSeconds").asLong());
    assertThat(expected.path("sizeBytes").asLong()).isEqualTo(DB.sizeBytes());
    assertThat(expected.path("text").asText())
        .startsWith("expected copy time ≈ " + CopyEstimate.duration(seconds) + " from 5.0 MB at ")
        .endsWith("/s measured by the rehearsal copy (dump, restore and verify on this worker)");
  }

  @Test
  void aTimeoutAtGateFreezeRejectsWithNothingFrozen() throws Exception {
    WorkflowStub stub = start();
    atGate(stub, "freeze");
    ApplicationFailure f = failureOf(stub); // waiting for the result skips time to the deadline
    assertThat(f.getType()).isEqualTo("GateTimedOut");
    verify(postgres, never()).freeze(any());
    verify(kube, never()).scale(any());
    assertThat(f.getDetails().get(RunbookResult.class).approvals())
        .extracting(ApprovalRecord::decision)
        .containsExactly(ApprovalRecord.TIMED_OUT);
  }

  @Test
  void theGatesShowTheBoundedReportOfFiveThousandTables() throws Exception {
    List<CopyActivities.TableCheck> rows = new java.util.ArrayList<>();
    for (int i = 1; i <= 5000; i++) {
      rows.add(new CopyActivities.TableCheck("public.t" + i, 1L, 1L, "a", "a", true, null));
    }
    io.signalbox.workflows.core.StoredReport ref =
        new io.signalbox.workflows.core.StoredReport(
            "state-hub-cutover-test-rehearsal", "r1", "verify-9", "ab".repeat(32), "database");
    when(copy.verify(any()))
        .thenReturn(
            new CopyActivities.VerificationReport(
                    true,
                    "5000 tables and 5000 rows match",
                    true,
                    5000,
                    5000,
                    rows,
                    List.of(),
                    List.of())
                .bounded(CopyActivities.VerificationReport.SUMMARY_ITEMS, ref));
    WorkflowStub stub = start();

    JsonNode freeze = JSON.valueToTree(atGate(stub, "freeze").pendingGate().report());
    assertThat(freeze.path("rehearsal").path("tables").asInt()).isEqualTo(5000);
    assertThat(freeze.path("rehearsal").path("mismatchingTables").asInt()).isZero();
    assertThat(freeze.path("rehearsal").path("summary").asText())
        .isEqualTo(
            "5000 tables and 5000 rows match; full report: signalbox evidence"
                + " state-hub-cutover-test-rehearsal/r1");
    assertThat(freeze.path("rehearsal").path("fullReport").path("sha256").asText())
        .isEqualTo(ref.sha256());

    approve(stub, "freeze");
    JsonNode cutover = JSON.valueToTree(atGate(stub, "cutover").pendingGate().report());
    assertThat(cutover.path("tables")).hasSize(20);
    assertThat(cutover.path("tableCount").asInt()).isEqualTo(5000);
    assertThat(cutover.path("moreTables").asInt()).isEqualTo(4980);
    assertThat(JSON.writeValueAsString(cutover).length()).isLessThan(16 * 1024);
    stub.cancel();
  }

  @Test
  void aTimeoutAtGateCutoverLiftsTheFreezeItMade() throws Exception {
    WorkflowStub stub = start();
    atGate(stub, "freeze");
    approve(stub, "freeze");
    atGate(stub, "cutover");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("GateTimedOut");
    InOrder order = inOrder(postgres);
    order.verify(postgres).freeze(argThat(fr -> fr.requestId() != null));
    order
        .verify(postgres)
        .unfreeze(argThat(u -> u.requestId() != null && !Boolean.TRUE.equals(u.force())));
    verify(kube, never()).mergePatch(any());
    verify(kube, never()).scale(any());
    // Both copies ran: the rehearsal as it is, the final one rows only over the rehearsal's.
    verify(copy)
        .restore(
            argThat(
                r ->
                    Boolean.TRUE.equals(r.dataOnly())
                        && "state-hub-cutover-test-rehearsal".equals(r.replacesCopyId())));
  }

  @Test
  void cancelAtGateCutoverLiftsTheFreezeAndEndsCancelled() throws Exception {
    WorkflowStub stub = start();
    atGate(stub, "freeze");
    approve(stub, "freeze");
    atGate(stub, "cutover");
    stub.cancel();
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    verify(postgres).unfreeze(any());
    verify(kube, never()).mergePatch(any());
  }

  @Test
  void aFailedHealthCheckUndoesTheSwitchTheScalingAndTheFreezeInReverse() throws Exception {
    when(health.waitHealthy(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "http://state-hub.state-hub.svc:8000/health was not healthy within PT5M",
                "HealthCheckFailed"));
    WorkflowStub stub = start();
    atGate(stub, "freeze");
    approve(stub, "freeze");
    atGate(stub, "cutover");
    approve(stub, "cutover");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("HealthCheckFailed");
    assertThat(f.getOriginalMessage())
        .contains("Undone: switch:ConfigMap/state-hub/state-hub-config, start-app, freeze-writes");
    InOrder order = inOrder(kube, postgres);
    order.verify(postgres).freeze(any());
    order.verify(kube).scale(argThat(s -> s.replicas() == 2)); // start-app
    order.verify(kube).mergePatch(argThat(p -> p.mergePatch().has("data"))); // switch
    order.verify(kube).mergePatch(argThat(p -> p.mergePatch().isEmpty())); // its undo
    order.verify(kube).scale(argThat(s -> s.replicas() == 0)); // undo start-app
    order.verify(postgres).unfreeze(any());
    RunbookResult r = f.getDetails().get(RunbookResult.class);
    assertThat(r.outcome()).isEqualTo("ROLLED_BACK");
    assertThat(r.switched().path("freeze").path("mode").asText()).isEqualTo("read-only");
  }
}
