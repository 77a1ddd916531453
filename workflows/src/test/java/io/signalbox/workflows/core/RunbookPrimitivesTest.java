package io.signalbox.workflows.core;

import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static io.signalbox.workflows.testing.RunbookStubs.await;
import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static io.signalbox.workflows.testing.RunbookStubs.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.demo.DemoActivities;
import io.signalbox.workflows.demo.DemoActivities.Call;
import io.signalbox.workflows.demo.DemoRunbookMocks;
import io.signalbox.workflows.demo.DemoRunbookWorkflow;
import io.signalbox.workflows.demo.DemoRunbookWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

/**
 * Every path of the runbook primitives, through a small test runbook, on the Temporal test server
 * with time skipping and mocked activities.
 */
// A workflow bug shows as a workflow task retried forever: fail the test instead of hanging.
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunbookPrimitivesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(DemoRunbookWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final DemoRunbookMocks mocks =
      new DemoRunbookMocks(in -> in.workflowId() + "/" + in.runId());
  private final DemoActivities steps = mocks.steps;
  private final InputActivities inputs = mocks.inputs;
  private final EvidenceActivities evidence = mocks.evidence;

  private TestWorkflowEnvironment env;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    mocks.register(env, worker, client);
    this.env = env;
  }

  // ------------------------------------------------------------ helpers

  private WorkflowStub start(String json) throws Exception {
    return mocks.start(DemoRunbookWorkflow.TYPE, json);
  }

  private static String input(String extra) {
    return "{\"requestedBy\": \"carol\", \"label\": \"db1\""
        + (extra.isEmpty() ? "" : ", " + extra)
        + "}";
  }

  private static void approve(WorkflowStub stub, String by) {
    stub.signal("approve", new Signals.Approve("go", by, "looks right", null));
  }

  private static Call call(String name) {
    return argThat(c -> c != null && c.name().equals(name));
  }

  private static List<String> stepNames(RunbookResult result) {
    return result.steps().stream().map(s -> s.name() + ":" + s.state()).toList();
  }

  // ------------------------------------------------------------ happy path, gates

  @Test
  void approvedRunCompletesWithEveryStepRecorded() throws Exception {
    WorkflowStub stub = start(input(""));
    RunbookStatus waiting = atGate(stub, "go");
    assertThat(waiting.phase()).isEqualTo(Phase.WAITING_FOR_APPROVAL);
    assertThat(waiting.step()).isEqualTo("go");
    assertThat(waiting.requestedBy()).isEqualTo("carol");
    assertThat(waiting.pendingGate().needed()).isEqualTo(1);
    assertThat(waiting.pendingGate().report().path("inspected").path("name").asText())
        .isEqualTo("inspect");
    assertThat(waiting.pendingGate().planDigest())
        .isEqualTo(Json.digest(waiting.pendingGate().report()));

    approve(stub, "bob");
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.failureType()).isNull();
    assertThat(result.requestedBy()).isEqualTo("carol");
    assertThat(result.evidenceId())
        .isEqualTo(stub.getExecution().getWorkflowId() + "/" + stub.getExecution().getRunId());
    verify(evidence)
        .record(argThat(e -> e.result().outcome().equals("COMPLETED") && e.startedAt() != null));
    assertThat(stepNames(result))
        .containsExactly("inspect:DONE", "freeze:DONE", "go:DONE", "apply:DONE", "verify:DONE");
    assertThat(result.approvals())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.decision()).isEqualTo(ApprovalRecord.APPROVED);
              assertThat(a.by()).isEqualTo("bob");
              assertThat(a.comment()).isEqualTo("looks right");
            });
    assertThat(result.verification().path("matches").asBoolean()).isTrue();
    InOrder order = inOrder(steps);
    order.verify(steps).inspect(call("inspect"));
    order.verify(steps).apply(call("freeze"));
    order.verify(steps).apply(call("apply"));
    order.verify(steps).inspect(call("verify"));
    verify(steps, never()).undo(any());
    assertThat(status(stub).phase()).isEqualTo(Phase.COMPLETED);
  }

  @Test
  void refusedApprovalsAreRecordedAndLeaveTheGateOpen() throws Exception {
    WorkflowStub stub =
        start(
            input(
                "\"approvals\": {\"approvers\": [\"alice\", \"bob\", \"carol\"],"
                    + " \"requireComment\": true}"));
    RunbookStatus open = atGate(stub, "go");
    String digest = open.pendingGate().planDigest();

    stub.signal("approve", new Signals.Approve("switch", "alice", "ok", null)); // wrong gate
    stub.signal("approve", new Signals.Approve("go", "mallory", "ok", null)); // not listed
    stub.signal("approve", new Signals.Approve("go", "carol", "ok", null)); // self-approval
    stub.signal("approve", new Signals.Approve("go", "alice", " ", null)); // no comment
    stub.signal("approve", new Signals.Approve("go", "alice", "ok", "0badc0de")); // stale digest
    stub.signal("approve", new Signals.Approve("go", "", "ok", null)); // nobody

    RunbookStatus stillOpen = await(stub, s -> s.approvals().size() == 6);
    assertThat(stillOpen.phase()).isEqualTo(Phase.WAITING_FOR_APPROVAL);
    assertThat(stillOpen.pendingGate().approvedBy()).isEmpty();
    assertThat(stillOpen.approvals())
        .allSatisfy(a -> assertThat(a.decision()).isEqualTo(ApprovalRecord.REFUSED))
        .extracting(ApprovalRecord::refusal)
        .satisfiesExactly(
            r -> assertThat(r).contains("gate 'switch' is not open"),
            r -> assertThat(r).contains("mallory is not one of the approvers"),
            r -> assertThat(r).contains("self-approval"),
            r -> assertThat(r).contains("comment is required"),
            r -> assertThat(r).contains("stale planDigest"),
            r -> assertThat(r).contains("names nobody"));

    stub.signal("approve", new Signals.Approve("go", "alice", "counts match", digest));
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.approvals()).hasSize(7);
    assertThat(result.approvals().get(6).decision()).isEqualTo(ApprovalRecord.APPROVED);
  }

  @Test
  void twoApprovalsNeedTwoDistinctApprovers() throws Exception {
    WorkflowStub stub = start(input("\"approvals\": {\"minApprovals\": 2}"));
    atGate(stub, "go");
    approve(stub, "alice");
    approve(stub, "alice"); // duplicate: refused
    RunbookStatus one = await(stub, s -> s.approvals().size() == 2);
    assertThat(one.phase()).isEqualTo(Phase.WAITING_FOR_APPROVAL);
    assertThat(one.pendingGate().approvedBy()).containsExactly("alice");
    assertThat(one.approvals().get(1).refusal()).contains("already approved");

    approve(stub, "bob");
    assertThat(stub.getResult(RunbookResult.class).outcome()).isEqualTo("COMPLETED");
  }

  @Test
  void selfApprovalIsAcceptedWhenThePolicyAllowsIt() throws Exception {
    WorkflowStub stub = start(input("\"approvals\": {\"selfApproval\": true}"));
    atGate(stub, "go");
    approve(stub, "carol");
    assertThat(stub.getResult(RunbookResult.class).outcome()).isEqualTo("COMPLETED");
  }

  @Test
  void rejectionUndoesTheFreezeAndFailsWithGateRejected() throws Exception {
    WorkflowStub stub = start(input(""));
    atGate(stub, "go");
    stub.signal("reject", new Signals.Reject("go", "bob", "counts differ"));

    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("GateRejected");
    assertThat(failure.getOriginalMessage())
        .contains("rejected by bob: counts differ")
        .contains("Undone: freeze");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("ROLLED_BACK");
    assertThat(result.failureType()).isEqualTo("GateRejected");
    assertThat(stepNames(result))
        .containsExactly("inspect:DONE", "freeze:DONE", "go:FAILED", "undo:freeze:UNDONE");
    verify(steps).undo(call("unfreeze"));
    verify(steps, never()).apply(call("apply"));
    assertThat(status(stub).phase()).isEqualTo(Phase.ROLLED_BACK);
    assertThat(result.evidenceId()).isNotNull();
    verify(evidence).record(argThat(e -> e.result().outcome().equals("ROLLED_BACK")));
  }

  @Test
  void aRejectionFromSomeoneWhoMayNotDecideIsRefused() throws Exception {
    WorkflowStub stub = start(input("\"approvals\": {\"approvers\": [\"alice\"]}"));
    atGate(stub, "go");
    stub.signal("reject", new Signals.Reject("go", "mallory", "just because"));
    stub.signal("reject", new Signals.Reject("switch", "alice", "wrong gate"));
    RunbookStatus open = await(stub, s -> s.approvals().size() == 2);
    assertThat(open.phase()).isEqualTo(Phase.WAITING_FOR_APPROVAL);
    assertThat(open.approvals())
        .allSatisfy(a -> assertThat(a.decision()).isEqualTo(ApprovalRecord.REFUSED))
        .extracting(ApprovalRecord::refusal)
        .satisfiesExactly(
            r -> assertThat(r).contains("neither an approver"),
            r -> assertThat(r).contains("gate 'switch' is not open"));

    // The requester may call off their own run.
    stub.signal("reject", new Signals.Reject("go", "carol", "changed my mind"));
    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("GateRejected");
    assertThat(failure.getOriginalMessage()).contains("rejected by carol: changed my mind");
  }

  @Test
  void gateTimeoutFailsClosed() throws Exception {
    WorkflowStub stub = start(input("\"approvals\": {\"timeout\": \"PT2H\"}"));
    RunbookStatus open = atGate(stub, "go");
    assertThat(
            Duration.between(
                java.time.Instant.parse(open.pendingGate().since()),
                java.time.Instant.parse(open.pendingGate().deadline())))
        .isEqualTo(Duration.ofHours(2));

    ApplicationFailure failure = failureOf(stub); // time skipping runs the 2 hours out
    assertThat(failure.getType()).isEqualTo("GateTimedOut");
    assertThat(failure.getOriginalMessage()).contains("0 of 1 approvals within PT2H");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(result.approvals())
        .extracting(ApprovalRecord::decision)
        .containsExactly(ApprovalRecord.TIMED_OUT);
    verify(steps).undo(call("unfreeze"));
    verify(steps, never()).apply(call("apply"));
  }

  // ------------------------------------------------------------ pause, cancel

  @Test
  void pauseTakesEffectAtTheNextStepBoundary() throws Exception {
    WorkflowStub stub = start(input(""));
    atGate(stub, "go");
    stub.signal("pause", new Signals.Pause("dave", "change freeze window"));
    approve(stub, "bob");

    RunbookStatus paused = await(stub, s -> s.phase() == Phase.PAUSED);
    assertThat(paused.pausedBy()).isEqualTo("dave");
    assertThat(paused.pauseReason()).isEqualTo("change freeze window");
    assertThat(paused.steps()).extracting(StepRecord::name).doesNotContain("apply");
    env.sleep(Duration.ofHours(3)); // stays paused however long it takes
    verify(steps, never()).apply(call("apply"));

    stub.signal("resume", new Signals.Resume("dave"));
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    verify(steps).apply(call("apply"));
  }

  @Test
  void cancelRunsTheUndosAndEndsCancelled() throws Exception {
    WorkflowStub stub = start(input(""));
    atGate(stub, "go");
    stub.cancel();

    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    verify(steps).undo(call("unfreeze"));
    verify(steps, never()).apply(call("apply"));
    RunbookStatus after = status(stub);
    assertThat(after.phase()).isEqualTo(Phase.CANCELLED);
    verify(evidence).record(argThat(ev -> ev.result().outcome().equals("CANCELLED")));
    assertThat(after.steps())
        .extracting(s -> s.name() + ":" + s.state())
        .contains("go:FAILED", "undo:freeze:UNDONE");
  }

  @Test
  void cancelWhilePausedStillUndoes() throws Exception {
    WorkflowStub stub = start(input(""));
    atGate(stub, "go");
    stub.signal("pause", new Signals.Pause("dave", null));
    approve(stub, "bob");
    await(stub, s -> s.phase() == Phase.PAUSED);
    stub.cancel();
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    verify(steps).undo(call("unfreeze"));
    assertThat(status(stub).phase()).isEqualTo(Phase.CANCELLED);
  }

  // ------------------------------------------------------------ failures, compensation

  @Test
  void aFailedStepUndoesEveryChangeInReverseOrder() throws Exception {
    when(steps.apply(call("apply")))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("disk full", "StepFailed"));
    WorkflowStub stub = start(input(""));
    atGate(stub, "go");
    approve(stub, "bob");

    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("StepFailed");
    assertThat(failure.getOriginalMessage())
        .contains("disk full")
        .contains("Undone: apply, freeze");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("ROLLED_BACK");
    assertThat(stepNames(result))
        .containsExactly(
            "inspect:DONE",
            "freeze:DONE",
            "go:DONE",
            "apply:FAILED",
            "undo:apply:UNDONE",
            "undo:freeze:UNDONE");
    InOrder order = inOrder(steps);
    order.verify(steps).undo(call("revert"));
    order.verify(steps).undo(call("unfreeze"));
  }

  @Test
  void aFailedUndoIsReportedAndTheOthersStillRun() throws Exception {
    when(steps.apply(call("apply")))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("disk full", "StepFailed"));
    when(steps.undo(call("revert")))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("api down", "StepFailed"));
    WorkflowStub stub = start(input(""));
    atGate(stub, "go");
    approve(stub, "bob");

    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getOriginalMessage())
        .contains("NOT undone, fix by hand: apply (api down)")
        .contains("Undone: freeze");
    assertThat(failure.getDetails().get(RunbookResult.class).outcome()).isEqualTo("FAILED");
    verify(steps).undo(call("unfreeze"));
  }

  @Test
  void aFailureBeforeAnyChangeEndsFailedWithNothingToUndo() throws Exception {
    when(steps.inspect(call("inspect")))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure("target not empty", "PreconditionFailed"));
    WorkflowStub stub = start(input(""));
    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("PreconditionFailed");
    assertThat(failure.getOriginalMessage())
        .contains("target not empty")
        .contains("Nothing had been changed");
    assertThat(failure.getDetails().get(RunbookResult.class).outcome()).isEqualTo("FAILED");
    verify(steps, never()).apply(any());
    verify(steps, never()).undo(any());
  }

  // ------------------------------------------------------------ dry run, input

  @Test
  void dryRunRunsOnlyReadOnlyStepsAndReturnsThePlan() throws Exception {
    WorkflowStub stub = start(input("\"dryRun\": true"));
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.dryRun()).isTrue();
    assertThat(result.plan().path("would").asText()).isEqualTo("freeze, apply");
    assertThat(stepNames(result))
        .containsExactly(
            "inspect:DONE", "freeze:SKIPPED", "go:SKIPPED", "apply:SKIPPED", "verify:DONE");
    verify(steps, never()).apply(any());
    verify(steps, never()).undo(any());
  }

  @Test
  void invalidInputFailsAtOnceNamingTheFields() throws Exception {
    when(inputs.validate(any()))
        .thenReturn(
            new InputActivities.ValidationResult(
                List.of(
                    "$.requestedBy: is required but missing",
                    "$.database.port: integer expected")));
    WorkflowStub stub = start("{\"database\": {\"port\": \"x\"}}");
    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("InvalidInput");
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .contains("$.requestedBy: is required")
        .contains("$.database.port");
    verify(steps, never()).inspect(any());
  }

  @Test
  void inputThatDoesNotMapFailsWithInvalidInputInsteadOfRetrying() throws Exception {
    // The validator let it through (e.g. a schema older than the record): mapping still fails
    // the run, it never becomes a workflow task that retries forever.
    WorkflowStub stub =
        start(input("\"label\": {\"not\": \"a string\"}").replace(", \"label\": \"db1\"", ""));
    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("InvalidInput");
    assertThat(failure.getOriginalMessage()).contains("$.label: Cannot deserialize");
    verify(steps, never()).inspect(any());
  }

  @Test
  void theInputIsValidatedAgainstTheRunbooksOwnSchema() throws Exception {
    WorkflowStub stub = start(input("\"dryRun\": true"));
    stub.getResult(RunbookResult.class);
    verify(inputs)
        .validate(
            argThat(
                r ->
                    r.runbook().equals("DemoRunbook")
                        && r.input().path("requestedBy").asText().equals("carol")));
  }

  @Test
  void evidenceThatCannotBeWrittenDoesNotChangeTheOutcome() throws Exception {
    doThrow(ApplicationFailure.newNonRetryableFailure("disk full", "StepFailed"))
        .when(evidence)
        .record(any());
    WorkflowStub stub = start(input("\"dryRun\": true"));
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.evidenceId()).isNull();
    assertThat(result.message()).contains("Evidence could not be written: disk full");
  }

  @Test
  void digestIgnoresKeyOrder() throws Exception {
    JsonNode a = JSON.readTree("{\"b\": 1, \"a\": {\"y\": [1, 2], \"x\": null}}");
    JsonNode b = JSON.readTree("{\"a\": {\"x\": null, \"y\": [1, 2]}, \"b\": 1}");
    JsonNode c = JSON.readTree("{\"a\": {\"x\": null, \"y\": [2, 1]}, \"b\": 1}");
    assertThat(Json.digest(a)).isEqualTo(Json.digest(b)).hasSize(64);
    assertThat(Json.digest(a)).isNotEqualTo(Json.digest(c));
  }
}
