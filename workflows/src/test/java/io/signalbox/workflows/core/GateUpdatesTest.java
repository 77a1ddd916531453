package io.signalbox.workflows.core;

import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static io.signalbox.workflows.testing.RunbookStubs.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.signalbox.workflows.demo.DemoActivities;
import io.signalbox.workflows.demo.DemoRunbookMocks;
import io.signalbox.workflows.demo.DemoRunbookWorkflow;
import io.signalbox.workflows.demo.DemoRunbookWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code approveGate} and {@code rejectGate} Updates: an accepted one answers with the
 * decision, each refusal answers with its reason and leaves nothing in the run, and the {@code
 * approve} / {@code reject} signals work as before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GateUpdatesTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(DemoRunbookWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final DemoRunbookMocks mocks = new DemoRunbookMocks(in -> "e1");
  private final DemoActivities steps = mocks.steps;
  private final InputActivities inputs = mocks.inputs;
  private final EvidenceActivities evidence = mocks.evidence;

  private WorkflowClient client;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    mocks.register(env, worker, client);
    this.client = client;
  }

  /**
   * A run of carol's that waits at gate {@code go} for two of alice, bob and dan, with comments.
   */
  private WorkflowStub startAtGate() throws Exception {
    WorkflowStub stub =
        mocks.start(
            DemoRunbookWorkflow.TYPE,
            "{\"requestedBy\": \"carol\", \"label\": \"db1\", \"approvals\": {\"approvers\":"
                + " [\"alice\", \"bob\", \"carol\", \"dan\"], \"minApprovals\": 2,"
                + " \"requireComment\": true}}");
    atGate(stub, "go");
    return stub;
  }

  private static GateDecision approve(WorkflowStub stub, Signals.Approve approval) {
    return stub.update("approveGate", GateDecision.class, approval);
  }

  /** The reason an Update was refused with; fails the test when it was accepted. */
  private static String refusal(Runnable update) {
    WorkflowUpdateException e = catchThrowableOfType(WorkflowUpdateException.class, update::run);
    assertThat(e).as("the update must be refused").isNotNull();
    assertThat(e.getCause()).isInstanceOf(ApplicationFailure.class);
    ApplicationFailure failure = (ApplicationFailure) e.getCause();
    // The SDK reports a validator's exception under its own type; the message is the reason.
    return failure.getOriginalMessage();
  }

  @Test
  void acceptedApprovalsAnswerHowManyOfHowMany() throws Exception {
    WorkflowStub stub = startAtGate();
    String digest = status(stub).pendingGate().planDigest();

    GateDecision first = approve(stub, new Signals.Approve("go", "alice", "fine", digest));
    assertThat(first)
        .isEqualTo(
            new GateDecision(
                "go",
                "APPROVED",
                "alice",
                1,
                2,
                GateDecision.OPEN,
                "approval 1 of 2 counted; gate 'go' waits for 1 more"));

    GateDecision second = approve(stub, new Signals.Approve("go", "bob", "agreed", null));
    assertThat(second.approvals()).isEqualTo(2);
    assertThat(second.gateState()).isEqualTo(GateDecision.APPROVED);
    assertThat(second.message())
        .isEqualTo("approval 2 of 2 counted; gate 'go' is approved: the run goes on");

    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.approvals())
        .extracting(ApprovalRecord::by, ApprovalRecord::decision)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("alice", "APPROVED"),
            org.assertj.core.groups.Tuple.tuple("bob", "APPROVED"));

    // A history with accepted Updates replays (refused ones left nothing in it).
    WorkflowReplayer.replayWorkflowExecution(
        client.fetchHistory(stub.getExecution().getWorkflowId()), DemoRunbookWorkflowImpl.class);
  }

  @Test
  void eachRefusalAnswersItsReasonAndLeavesTheGateAsItWas() throws Exception {
    WorkflowStub stub = startAtGate();
    assertThat(approve(stub, new Signals.Approve("go", "alice", "fine", null)).approvals())
        .isEqualTo(1);

    assertThat(refusal(() -> approve(stub, new Signals.Approve("go", "mallory", "hi", null))))
        .isEqualTo("mallory is not one of the approvers [alice, bob, carol, dan]");
    assertThat(refusal(() -> approve(stub, new Signals.Approve("go", "carol", "mine", null))))
        .isEqualTo("self-approval: carol requested this run and may not approve it");
    assertThat(refusal(() -> approve(stub, new Signals.Approve("go", "alice", "again", null))))
        .isEqualTo("alice has already approved; 2 distinct approvers needed");
    assertThat(refusal(() -> approve(stub, new Signals.Approve("switch", "bob", "ok", null))))
        .isEqualTo("gate 'switch' is not open; the open gate is 'go'");
    assertThat(refusal(() -> approve(stub, new Signals.Approve("go", "bob", "ok", "stale"))))
        .startsWith("stale planDigest: the gate's report has digest ");
    assertThat(refusal(() -> approve(stub, new Signals.Approve("go", "bob", " ", null))))
        .isEqualTo("a comment is required with an approval");
    assertThat(refusal(() -> approve(stub, new Signals.Approve("go", "b".repeat(300), "ok", null))))
        .isEqualTo(
            "the name in \"by\" has 300 characters; at most " + Limits.NAME + " are accepted");
    assertThat(refusal(() -> approve(stub, new Signals.Approve("go", null, "ok", null))))
        .isEqualTo("the approval names nobody: set \"by\"");
    assertThat(
            refusal(
                () ->
                    stub.update(
                        "rejectGate", GateDecision.class, new Signals.Reject("go", "eve", "no"))))
        .isEqualTo("eve is neither an approver [alice, bob, carol, dan] nor the requester");

    // A refused Update changed nothing: one approval so far, and no refusal in status (the
    // caller was answered instead).
    RunbookStatus after = status(stub);
    assertThat(after.pendingGate().approvedBy()).containsExactly("alice");
    assertThat(after.approvals()).hasSize(1);

    assertThat(approve(stub, new Signals.Approve("go", "dan", "ok", null)).gateState())
        .isEqualTo(GateDecision.APPROVED);
    assertThat(stub.getResult(RunbookResult.class).outcome()).isEqualTo("COMPLETED");
  }

  @Test
  void noGateOpenIsARefusalToo() throws Exception {
    WorkflowStub stub = startAtGate();
    approve(stub, new Signals.Approve("go", "alice", "1", null));
    approve(stub, new Signals.Approve("go", "bob", "2", null));
    stub.getResult(RunbookResult.class);
    // The run has ended: an Update reaches only open runs, like a signal.
    assertThat(
            catchThrowableOfType(
                io.temporal.client.WorkflowException.class,
                () -> approve(stub, new Signals.Approve("go", "dan", "3", null))))
        .isNotNull();
  }

  @Test
  void rejectGateAnswersAndTheRunCompensates() throws Exception {
    WorkflowStub stub = startAtGate();
    GateDecision rejected =
        stub.update("rejectGate", GateDecision.class, new Signals.Reject("go", "bob", "not now"));
    assertThat(rejected.decision()).isEqualTo("REJECTED");
    assertThat(rejected.gateState()).isEqualTo(GateDecision.REJECTED);
    assertThat(rejected.message())
        .isEqualTo("rejection counted; gate 'go' is rejected: the run compensates and fails");
    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("GateRejected");
    assertThat(failure.getOriginalMessage()).contains("rejected by bob: not now");
  }

  @Test
  void theSignalsStillWorkAndRecordTheirRefusals() throws Exception {
    WorkflowStub stub = startAtGate();
    stub.signal("approve", new Signals.Approve("go", "mallory", "hi", null));
    stub.signal("approve", new Signals.Approve("go", "alice", "fine", null));
    stub.signal("approve", new Signals.Approve("go", "bob", "fine", null));
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.approvals()).hasSize(3);
    assertThat(result.approvals().get(0).decision()).isEqualTo(ApprovalRecord.REFUSED);
    assertThat(result.approvals().get(0).refusal()).contains("mallory is not one of the approvers");
  }
}
