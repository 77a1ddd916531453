package io.signalbox.workflows.demo;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.InputActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.function.Function;

/**
 * The mocked activities the test runbooks ({@link DemoRunbookWorkflow}, {@link
 * BuggyRunbookWorkflow}) run with, shared by the tests of the runbook primitives: each step answers
 * with the call it was given, every input is valid, and evidence is recorded under an id the test
 * chooses. A test stubs more on the mocks before {@link #register}.
 */
public final class DemoRunbookMocks {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final DemoActivities steps =
      mock(DemoActivities.class, withSettings().withoutAnnotations());
  public final InputActivities inputs =
      mock(InputActivities.class, withSettings().withoutAnnotations());
  public final EvidenceActivities evidence =
      mock(EvidenceActivities.class, withSettings().withoutAnnotations());

  private final Function<EvidenceActivities.EvidenceInput, String> evidenceId;
  private WorkflowClient client;
  private String taskQueue;

  /**
   * @param evidenceId the evidence id a recorded run gets, from what was recorded
   */
  public DemoRunbookMocks(Function<EvidenceActivities.EvidenceInput, String> evidenceId) {
    this.evidenceId = evidenceId;
  }

  /**
   * Stubs the mocks, registers them (and {@code more} activities) with the worker and starts the
   * test environment.
   */
  public void register(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client, Object... more) {
    when(steps.inspect(any())).thenAnswer(i -> i.getArgument(0));
    when(steps.apply(any())).thenAnswer(i -> i.getArgument(0));
    when(steps.undo(any())).thenAnswer(i -> i.getArgument(0));
    when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
    when(evidence.record(any()))
        .thenAnswer(
            i -> {
              EvidenceActivities.EvidenceInput in = i.getArgument(0);
              return new EvidenceActivities.EvidenceRef(evidenceId.apply(in), null, null);
            });
    Object[] activities = new Object[3 + more.length];
    activities[0] = steps;
    activities[1] = inputs;
    activities[2] = evidence;
    System.arraycopy(more, 0, activities, 3, more.length);
    worker.registerActivitiesImplementations(activities);
    env.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  /** The worker's task queue, once {@link #register registered}. */
  public String taskQueue() {
    return taskQueue;
  }

  /** Starts a run of workflow type {@code type} with {@code json} as its input. */
  public WorkflowStub start(String type, String json) throws Exception {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            type, WorkflowOptions.newBuilder().setTaskQueue(taskQueue).build());
    stub.start(JSON.readTree(json));
    return stub;
  }
}
