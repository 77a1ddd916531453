package io.signalbox.workflows.core;

import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.demo.DemoActivities;
import io.signalbox.workflows.demo.DemoRunbookWorkflow;
import io.signalbox.workflows.demo.DemoRunbookWorkflowImpl;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The run's search attributes: upserted where the worker says the server has them, only when a
 * value changes, and never where it says it has not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunSearchAttributesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      register(TestWorkflowExtension.newBuilder())
          .registerWorkflowImplementationTypes(DemoRunbookWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private static TestWorkflowExtension.Builder register(TestWorkflowExtension.Builder builder) {
    for (String name : RunSearchAttributes.names()) {
      builder.registerSearchAttribute(name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    return builder;
  }

  private final DemoActivities steps =
      mock(DemoActivities.class, withSettings().withoutAnnotations());
  private final InputActivities inputs =
      mock(InputActivities.class, withSettings().withoutAnnotations());
  private final EvidenceActivities evidence =
      mock(EvidenceActivities.class, withSettings().withoutAnnotations());

  private WorkflowStub start(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client, List<String> registered)
      throws Exception {
    when(steps.inspect(any())).thenAnswer(i -> i.getArgument(0));
    when(steps.apply(any())).thenAnswer(i -> i.getArgument(0));
    when(steps.undo(any())).thenAnswer(i -> i.getArgument(0));
    when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
    when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("e1", null, null));
    when(inputs.registeredSearchAttributes(any()))
        .thenReturn(new InputActivities.SearchAttributesAnswer(registered));
    worker.registerActivitiesImplementations(steps, inputs, evidence);
    env.start();
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            DemoRunbookWorkflow.TYPE,
            WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).build());
    stub.start(JSON.readTree("{\"requestedBy\": \"carol\", \"label\": \"db1\"}"));
    return stub;
  }

  @Test
  void aRunShowsWhereItIsAndWhatItWaitsFor(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    WorkflowStub stub = start(env, worker, client, RunSearchAttributes.names());
    atGate(stub, "go");

    SearchAttributes waiting = stub.describe().getTypedSearchAttributes();
    assertThat(waiting.get(RunSearchAttributes.RUNBOOK)).isEqualTo("DemoRunbook");
    assertThat(waiting.get(RunSearchAttributes.PHASE)).isEqualTo("WAITING_FOR_APPROVAL");
    assertThat(waiting.get(RunSearchAttributes.STEP)).isEqualTo("go");
    assertThat(waiting.get(RunSearchAttributes.PENDING_GATE)).isEqualTo("go");
    assertThat(waiting.get(RunSearchAttributes.REQUESTED_BY)).isEqualTo("carol");

    stub.signal("approve", new Signals.Approve("go", "bob", "ok", null));
    stub.getResult(RunbookResult.class);
    SearchAttributes done = stub.describe().getTypedSearchAttributes();
    assertThat(done.get(RunSearchAttributes.PHASE)).isEqualTo("COMPLETED");
    assertThat(done.containsKey(RunSearchAttributes.PENDING_GATE)).isFalse();

    // Only changes are upserted: each upsert sets some attribute to a new value.
    List<HistoryEvent> upserts = upserts(client, stub);
    assertThat(upserts).isNotEmpty();
    Map<String, String> shown = new HashMap<>();
    for (HistoryEvent upsert : upserts) {
      Map<String, String> changed = new HashMap<>();
      upsert
          .getUpsertWorkflowSearchAttributesEventAttributes()
          .getSearchAttributes()
          .getIndexedFieldsMap()
          .forEach(
              (name, payload) -> {
                String value =
                    payload.getData().isEmpty()
                        ? null
                        : DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                            payload, String.class, String.class);
                if (!java.util.Objects.equals(shown.get(name), value)) {
                  changed.put(name, value);
                }
                shown.put(name, value);
              });
      assertThat(changed).as("upsert %s changes something", upsert.getEventId()).isNotEmpty();
    }

    // The decision, recorded once at the start, replays: the same upserts.
    WorkflowReplayer.replayWorkflowExecution(
        client.fetchHistory(stub.getExecution().getWorkflowId()), DemoRunbookWorkflowImpl.class);
  }

  @Test
  void aRunWhoseWorkerFoundNoAttributesUpsertsNone(
      TestWorkflowEnvironment env, Worker worker, WorkflowClient client) throws Exception {
    WorkflowStub stub = start(env, worker, client, List.of("SignalboxRunbook"));
    atGate(stub, "go");
    stub.signal("approve", new Signals.Approve("go", "bob", "ok", null));
    assertThat(stub.getResult(RunbookResult.class).outcome()).isEqualTo("COMPLETED");
    assertThat(upserts(client, stub)).isEmpty();
    assertThat(stub.describe().getTypedSearchAttributes().containsKey(RunSearchAttributes.PHASE))
        .isFalse();
  }

  private static List<HistoryEvent> upserts(WorkflowClient client, WorkflowStub stub) {
    return client
        .fetchHistory(stub.getExecution().getWorkflowId(), stub.getExecution().getRunId())
        .getEvents()
        .stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
        .filter(
            e ->
                e
                    .getUpsertWorkflowSearchAttributesEventAttributes()
                    .getSearchAttributes()
                    .getIndexedFieldsMap()
                    .keySet()
                    .stream()
                    .anyMatch(n -> n.startsWith("Signalbox")))
        .toList();
  }
}
