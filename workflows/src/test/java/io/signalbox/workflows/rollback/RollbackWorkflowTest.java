package io.signalbox.workflows.rollback;

import static io.signalbox.workflows.rollback.RollbackMocks.BACKUP;
import static io.signalbox.workflows.rollback.RollbackMocks.MIGRATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookStatus;
import io.signalbox.workflows.core.Signals;
import io.signalbox.workflows.migration.SwitchFacts;
import io.signalbox.workflows.rollback.RollbackEvidenceActivities.RecordedRun;
import io.signalbox.workflows.rollback.RollbackEvidenceActivities.RolledBack;
import io.signalbox.workflows.testing.RunbookStubs;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

/** Rollback's order of changes, its gate, its refusals and its own undo (mocked activities). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RollbackWorkflowTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(RollbackWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final RollbackMocks m = new RollbackMocks();
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    worker.registerActivitiesImplementations(m.all());
    env.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  private WorkflowStub start(String id, boolean carryOver, boolean dryRun) throws Exception {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            "Rollback",
            WorkflowOptions.newBuilder().setTaskQueue(taskQueue).setWorkflowId(id).build());
    stub.start(
        JSON.readTree(
            """
            {"workflowId": "%s", "requestedBy": "carol", "carryOver": %s, "dryRun": %s,
             "approvals": {"approvers": ["bob"]}}
            """
                .formatted(MIGRATION, carryOver, dryRun)));
    return stub;
  }

  private WorkflowStub start(boolean carryOver) throws Exception {
    return start(RollbackInput.id(MIGRATION), carryOver, false);
  }

  private static void approve(WorkflowStub stub) {
    stub.signal("approve", new Signals.Approve("rollback", "bob", "ok", null));
  }

  @Test
  void undoesTheSwitchInReverseAfterTheGateAndLinksTheEvidence() throws Exception {
    WorkflowStub stub = start(true);
    RunbookStatus gate = RunbookStubs.atGate(stub, "rollback");
    assertThat(gate.pendingGate().report().path("summary").asText())
        .contains("1 rows only on the new database");
    assertThat(gate.pendingGate().report().path("rollbackOf").asText())
        .isEqualTo(MIGRATION + "/run-1");
    verify(m.kube, never()).scale(any());
    approve(stub);
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.switched().path("rollbackOf").asText()).isEqualTo(MIGRATION + "/run-1");
    assertThat(result.verification().path("carried").path("inserted").asLong()).isEqualTo(1);

    InOrder order = inOrder(m.kube, m.carry, m.commands, m.health, m.runs);
    order.verify(m.carry).compare(any());
    order.verify(m.kube).scale(argThat(s -> s.replicas() == 0));
    order.verify(m.carry).carryOver(any());
    order.verify(m.commands).run(argThat(c -> c.argv().get(1).equals("rollback")));
    order.verify(m.kube).mergePatch(argThat(p -> BACKUP.equals(p.restoreFromBackup())));
    order.verify(m.kube).scale(argThat(s -> s.replicas() == 3));
    order.verify(m.health).waitHealthy(any());
    order
        .verify(m.runs)
        .markRolledBack(
            argThat(
                k ->
                    k.runId().equals("run-1")
                        && k.rolledBack().workflowId().equals("rollback-" + MIGRATION)
                        && k.rolledBack().requestedBy().equals("carol")));
    verify(m.postgres, never()).unfreeze(any()); // app mode: starting the app is the unfreeze
  }

  @Test
  void databaseLevelFreezeIsLiftedWithTheMigrationsOwnRequestId() throws Exception {
    when(m.runs.findRun(any())).thenReturn(RollbackMocks.completed(RollbackMocks.facts(false)));
    WorkflowStub stub = start(false);
    RunbookStubs.atGate(stub, "rollback");
    approve(stub);
    assertThat(stub.getResult(RunbookResult.class).outcome()).isEqualTo("COMPLETED");
    InOrder order = inOrder(m.postgres, m.kube);
    order.verify(m.postgres).freeze(argThat(f -> f.endpoint().host().equals("new-db")));
    order.verify(m.kube).mergePatch(any());
    order
        .verify(m.postgres)
        .unfreeze(
            argThat(
                u ->
                    u.endpoint().host().equals("old-db")
                        && u.requestId().equals("r-freeze")
                        && !Boolean.TRUE.equals(u.force())));
    verify(m.kube, never()).scale(any());
    verify(m.carry, never()).carryOver(any());
  }

  @Test
  void aFailedHealthCheckPutsTheAppBackOnTheNewDatabase() throws Exception {
    when(m.health.waitHealthy(any()))
        .thenThrow(FailureType.HEALTH_CHECK_FAILED.failure("503 from /api/healthz"));
    WorkflowStub stub = start(false);
    RunbookStubs.atGate(stub, "rollback");
    approve(stub);
    ApplicationFailure f = RunbookStubs.failureOf(stub);
    assertThat(f.getType()).isEqualTo("HealthCheckFailed");
    RunbookResult r = f.getDetails().get(RunbookResult.class);
    assertThat(r.outcome()).isEqualTo("ROLLED_BACK");
    assertThat(r.steps().stream().map(s -> s.name()).toList())
        .containsSubsequence(
            "undo:start-app",
            "undo:repoint:Secret/gitea/gitea-db",
            "undo:repoint:command",
            "undo:freeze-new");
    InOrder order = inOrder(m.kube, m.commands);
    order.verify(m.kube).scale(argThat(s -> s.replicas() == 3)); // started on the old database
    order.verify(m.kube).scale(argThat(s -> s.replicas() == 0)); // undo: stopped again
    // undo of the restore: the restore's own backup puts the switched values back
    order
        .verify(m.kube)
        .mergePatch(
            argThat(
                p ->
                    p.restoreFromBackup() != null
                        && !p.restoreFromBackup().equals(BACKUP)
                        && p.restoreFromBackup().startsWith("gitea-db-signalbox-backup-")));
    order.verify(m.commands).run(argThat(c -> c.argv().get(1).equals("upgrade")));
    order.verify(m.kube).scale(argThat(s -> s.replicas() == 3)); // back on the new database
    verify(m.runs, never()).markRolledBack(any());
  }

  @Test
  void aLinkThatCannotBeWrittenDoesNotUndoTheRollback() throws Exception {
    org.mockito.Mockito.doThrow(FailureType.PRECONDITION_FAILED.failure("evidence row is gone"))
        .when(m.runs)
        .markRolledBack(any());
    WorkflowStub stub = start(false);
    RunbookStubs.atGate(stub, "rollback");
    approve(stub);
    RunbookResult r = stub.getResult(RunbookResult.class);
    assertThat(r.outcome()).isEqualTo("COMPLETED");
    assertThat(r.steps().get(r.steps().size() - 1).detail())
        .contains("NOT linked, mark " + MIGRATION + "/run-1 by hand: evidence row is gone");
  }

  @Test
  void rejectionChangesNothing() throws Exception {
    WorkflowStub stub = start(true);
    RunbookStubs.atGate(stub, "rollback");
    stub.signal("reject", new Signals.Reject("rollback", "bob", "the new rows matter"));
    assertThat(RunbookStubs.failureOf(stub).getType()).isEqualTo("GateRejected");
    verify(m.kube, never()).scale(any());
    verify(m.kube, never()).mergePatch(any());
    verify(m.commands, never()).run(any());
    verify(m.carry, never()).carryOver(any());
  }

  @Test
  void dryRunMeasuresAndChangesNothing() throws Exception {
    WorkflowStub stub = start(RollbackInput.id(MIGRATION), true, true);
    RunbookResult r = stub.getResult(RunbookResult.class);
    assertThat(r.outcome()).isEqualTo("COMPLETED");
    assertThat(r.plan().path("summary").asText()).contains("1 rows only on the new database");
    assertThat(r.plan().path("steps").toString()).contains("helm rollback gitea");
    verify(m.kube, never()).scale(any());
    verify(m.carry, never()).carryOver(any());
    verify(m.runs, never()).markRolledBack(any());
  }

  private void assertRefused(String type, String message) throws Exception {
    assertRefused(RollbackInput.id(MIGRATION), type, message);
  }

  private void assertRefused(String id, String type, String message) throws Exception {
    ApplicationFailure f = RunbookStubs.failureOf(start(id, false, false));
    assertThat(f.getType()).isEqualTo(type);
    assertThat(f.getOriginalMessage()).contains(message);
    verify(m.carry, never()).compare(any());
    verify(m.kube, never()).scale(any());
  }

  @Test
  void refusesAnUnknownRun() throws Exception {
    when(m.runs.findRun(any()))
        .thenReturn(
            new RecordedRun(false, MIGRATION, null, null, null, null, false, null, null, null));
    assertRefused("PreconditionFailed", "No evidence of a run " + MIGRATION);
  }

  @Test
  void refusesARunThatDidNotComplete() throws Exception {
    RecordedRun c = RollbackMocks.completed(RollbackMocks.facts(true));
    when(m.runs.findRun(any()))
        .thenReturn(
            new RecordedRun(
                true,
                c.workflowId(),
                c.runId(),
                c.evidenceId(),
                c.runbook(),
                "ROLLED_BACK",
                false,
                null,
                c.switched(),
                null));
    assertRefused("PreconditionFailed", "ended ROLLED_BACK");
  }

  @Test
  void refusesARunAlreadyRolledBack() throws Exception {
    RecordedRun c = RollbackMocks.completed(RollbackMocks.facts(true));
    when(m.runs.findRun(any()))
        .thenReturn(
            new RecordedRun(
                true,
                c.workflowId(),
                c.runId(),
                c.evidenceId(),
                c.runbook(),
                c.outcome(),
                false,
                null,
                c.switched(),
                new RolledBack("rollback-" + MIGRATION, "r0", "dave", "2026-11-21T00:00:00Z")));
    assertRefused("PreconditionFailed", "already rolled back by rollback-" + MIGRATION + "/r0");
  }

  @Test
  void refusesEvidenceWithoutWhatItNeeds() throws Exception {
    SwitchFacts f = RollbackMocks.facts(true);
    SwitchFacts noUndo =
        new SwitchFacts(
            f.oldDatabase(),
            f.newDatabase(),
            f.freeze(),
            f.patches(),
            new SwitchFacts.SwitchCommand(List.of("helm", "upgrade"), null, null, null),
            f.app(),
            f.healthCheck());
    when(m.runs.findRun(any())).thenReturn(RollbackMocks.completed(noUndo));
    assertRefused("PreconditionFailed", "a rollbackArgv for the switch command helm upgrade");
  }

  @Test
  void refusesEvidenceWithoutSwitchFacts() throws Exception {
    when(m.runs.findRun(any())).thenReturn(RollbackMocks.completed(null));
    assertRefused("PreconditionFailed", "records no switch facts");
  }

  @Test
  void refusesAnotherWorkflowId() throws Exception {
    assertRefused(
        "my-rollback", "InvalidInput", "runs under the workflow id rollback-" + MIGRATION);
    verify(m.runs, never()).findRun(any());
  }

  @Test
  void factsSurviveTheirJsonRoundTrip() {
    SwitchFacts f = RollbackMocks.facts(true);
    assertThat(Json.map(Json.tree(f), SwitchFacts.class)).isEqualTo(f);
    assertThat(f.patches().get(0).undo("u").restoreFromBackup()).isEqualTo(BACKUP);
  }
}
