package io.signalbox.workflows.core;

import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static io.signalbox.workflows.testing.RunbookStubs.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.verify;

import io.signalbox.workflows.demo.BuggyRunbookWorkflow;
import io.signalbox.workflows.demo.BuggyRunbookWorkflowImpl;
import io.signalbox.workflows.demo.DemoActivities;
import io.signalbox.workflows.demo.DemoActivities.Call;
import io.signalbox.workflows.demo.DemoRunbookMocks;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
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

/**
 * A bug in runbook code (an unexpected exception, not a Temporal failure) ends the run after its
 * undos instead of retrying the workflow task for ever with the source frozen.
 */
// Before the fix these runs retried their workflow task for ever: the timeout fails the test.
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunbookBugsTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(BuggyRunbookWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final DemoRunbookMocks mocks = new DemoRunbookMocks(in -> in.workflowId());
  private final DemoActivities steps = mocks.steps;
  private final InputActivities inputs = mocks.inputs;
  private final EvidenceActivities evidence = mocks.evidence;

  private WorkflowClient client;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    mocks.register(env, worker, client);
    this.client = client;
  }

  private WorkflowStub start(String label) throws Exception {
    return mocks.start(
        BuggyRunbookWorkflow.TYPE, "{\"requestedBy\": \"carol\", \"label\": \"" + label + "\"}");
  }

  private static Call call(String name) {
    return argThat(c -> c != null && c.name().equals(name));
  }

  private static List<String> stepNames(RunbookResult result) {
    return result.steps().stream().map(s -> s.name() + ":" + s.state()).toList();
  }

  @Test
  void aBugInAStepAfterTheFreezeUndoesTheFreezeAndFailsTheRun() throws Exception {
    WorkflowStub stub = start("bug-in-step");

    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("InternalError");
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .contains("Bug in runbook BuggyRunbook in step 'compute'")
        .contains("NullPointerException")
        .contains("Undone: freeze.");
    verify(steps).undo(call("unfreeze"));

    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("ROLLED_BACK");
    assertThat(result.failureType()).isEqualTo("InternalError");
    assertThat(stepNames(result))
        .containsExactly("inspect:DONE", "freeze:DONE", "compute:FAILED", "undo:freeze:UNDONE");
    assertThat(result.steps().get(2).detail()).startsWith("bug: NullPointerException");
    assertThat(status(stub).phase()).isEqualTo(Phase.ROLLED_BACK);
    verify(evidence).record(argThat(e -> "InternalError".equals(e.result().failureType())));

    // The run failed once; it did not retry a workflow task.
    assertThat(
            client.fetchHistory(stub.getExecution().getWorkflowId()).getEvents().stream()
                .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED))
        .isEmpty();
  }

  @Test
  void aBugBetweenStepsIsNamedAfterTheLastStep() throws Exception {
    WorkflowStub stub = start("bug-between-steps");

    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("InternalError");
    assertThat(failure.getOriginalMessage())
        .contains("after step 'freeze'")
        .contains("IllegalArgumentException: no such mode: bug-between-steps")
        .contains("Undone: freeze.");
    verify(steps).undo(call("unfreeze"));
  }

  @Test
  void aBugInAnUndoDoesNotStopTheOtherUndos() throws Exception {
    WorkflowStub stub = start("bug-in-undo");

    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("InternalError");
    assertThat(failure.getOriginalMessage())
        .contains("Undone: freeze.")
        .contains(
            "NOT undone, fix by hand: apply (bug in the undo: IllegalStateException: the undo of"
                + " apply has a bug)");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("FAILED");
    assertThat(stepNames(result))
        .containsExactly(
            "inspect:DONE",
            "freeze:DONE",
            "apply:DONE",
            "compute:FAILED",
            "undo:apply:FAILED",
            "undo:freeze:UNDONE");
    InOrder order = inOrder(steps);
    order.verify(steps).apply(call("apply"));
    order.verify(steps).undo(call("unfreeze"));
  }
}
