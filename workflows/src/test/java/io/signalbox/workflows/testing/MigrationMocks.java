package io.signalbox.workflows.testing;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleInput;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleResult;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.List;

/**
 * The mocked activities of a migration runbook's workflow test (GiteaDbMigration, StateHubCutover):
 * one mock per activity interface, without their annotations, so the worker registers them under
 * the interfaces' names. A test stubs its steps on them, then {@link #register}s them; every input
 * is valid and every run's evidence is recorded as {@code ev}.
 */
public final class MigrationMocks {
  private static final ObjectMapper JSON = new ObjectMapper();

  public final PostgresActivities postgres = mockOf(PostgresActivities.class);
  public final KubernetesActivities kube = mockOf(KubernetesActivities.class);
  public final CommandActivities commands = mockOf(CommandActivities.class);
  public final HealthCheckActivities health = mockOf(HealthCheckActivities.class);
  public final CopyActivities copy = mockOf(CopyActivities.class);
  public final InputActivities inputs = mockOf(InputActivities.class);
  public final EvidenceActivities evidence = mockOf(EvidenceActivities.class);

  private WorkflowClient client;
  private String taskQueue;

  /** A mock of an activity interface, registered under the interface's activity names. */
  public static <T> T mockOf(Class<T> type) {
    return mock(type, withSettings().withoutAnnotations());
  }

  /**
   * Stubs {@code kube.scale}: every scale succeeds at once, from {@code replicas} to the replicas
   * asked for.
   */
  public static void scalesFrom(KubernetesActivities kube, int replicas) {
    when(kube.scale(any()))
        .thenAnswer(
            i -> {
              KubeScaleInput in = i.getArgument(0);
              return new KubeScaleResult(
                  in.kind(),
                  in.namespace(),
                  in.name(),
                  replicas,
                  in.replicas(),
                  true,
                  in.replicas(),
                  5);
            });
  }

  /**
   * Stubs valid input and recorded evidence, registers the mocks (and {@code more}) with the worker
   * and starts the test environment.
   */
  public void register(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client, Object... more) {
    when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
    when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("ev", null, null));
    Object[] activities = new Object[7 + more.length];
    activities[0] = postgres;
    activities[1] = kube;
    activities[2] = commands;
    activities[3] = health;
    activities[4] = copy;
    activities[5] = inputs;
    activities[6] = evidence;
    System.arraycopy(more, 0, activities, 7, more.length);
    worker.registerActivitiesImplementations(activities);
    env.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  /** Starts a run of workflow type {@code type} under {@code workflowId} with {@code json}. */
  public WorkflowStub start(String type, String workflowId, String json) throws Exception {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            type,
            WorkflowOptions.newBuilder().setTaskQueue(taskQueue).setWorkflowId(workflowId).build());
    stub.start(JSON.readTree(json));
    return stub;
  }
}
