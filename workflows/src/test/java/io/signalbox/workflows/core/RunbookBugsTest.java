package io.signalbox.workflows.core;

import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static io.signalbox.workflows.testing.RunbookStubs.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.demo.BuggyRunbookWorkflow;
import io.signalbox.workflows.demo.BuggyRunbookWorkflowImpl;
import io.signalbox.workflows.demo.DemoActivities;
import io.signalbox.workflows.demo.DemoActivities.Call;
import io.temporal.api.enums.v1.EventType;
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

/**
 * A bug in runbook code (an unexpected exception, not a Temporal failure) ends the run after its
 * undos instead of retrying the workflow task for ever with the source frozen.
 */
// Before the fix these runs retried their workflow task for ever: the timeout fails the test.
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunbookBugsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(BuggyRunbookWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final DemoActivities steps =
      mock(DemoActivities.class, withSettings().withoutAnnotations());
  private final InputActivities inputs =
      mock(InputActivities.class, withSettings().withoutAnnotations());
  private final EvidenceActivities evidence =
      mock(EvidenceActivities.class, withSettings().withoutAnnotations());

  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(steps.inspect(any())).thenAnswer(i -> i.getArgument(0));
    when(steps.apply(any())).thenAnswer(i -> i.getArgument(0));
    when(steps.undo(any())).thenAnswer(i -> i.getArgument(0));
    when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
    when(evidence.record(any()))
        .thenAnswer(
            i -> {
              EvidenceActivities.EvidenceInput in = i.getArgument(0);
              return new EvidenceActivities.EvidenceRef(in.workflowId(), null, null);
            });
    worker.registerActivitiesImplementations(steps, inputs, evidence);
    env.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  private WorkflowStub start(String label) throws Exception {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            BuggyRunbookWorkflow.TYPE,
            WorkflowOptions.newBuilder().setTaskQueue(taskQueue).build());
    stub.start(JSON.readTree("{\"requestedBy\": \"carol\", \"label\": \"" + label + "\"}"));
    return stub;
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
