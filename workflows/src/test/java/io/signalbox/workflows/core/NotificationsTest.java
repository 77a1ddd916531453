package io.signalbox.workflows.core;

import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.timeout;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.core.NotifyActivities.Delivery;
import io.signalbox.workflows.core.NotifyActivities.Notification;
import io.signalbox.workflows.core.NotifyActivities.NotifierOutcome;
import io.signalbox.workflows.core.NotifyActivities.Plan;
import io.signalbox.workflows.demo.DemoActivities;
import io.signalbox.workflows.demo.DemoRunbookMocks;
import io.signalbox.workflows.demo.DemoRunbookWorkflow;
import io.signalbox.workflows.demo.DemoRunbookWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The notifications of a run, through the test runbook with mocked activities and time skipping:
 * which events go out, in which order, each once with its own key; that no step waits on a
 * delivery; that a failed delivery is recorded and never changes the outcome.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NotificationsTest {
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
  private final NotifyActivities notify =
      mock(NotifyActivities.class, withSettings().withoutAnnotations());

  /** What the mocked notifier was given, in the order it was given it. */
  private final List<Notification> sent = new CopyOnWriteArrayList<>();

  private TestWorkflowEnvironment env;
  private WorkflowClient client;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(notify.plan(any()))
        .thenReturn(new Plan(NotifyActivities.EVENTS, List.of("ops"), List.of(), "PT1H"));
    when(notify.deliver(any()))
        .thenAnswer(
            i -> {
              sent.add(i.getArgument(0));
              return new Delivery(List.of(new NotifierOutcome("hook", true, "HTTP 200")));
            });
    mocks.register(env, worker, client, notify);
    this.env = env;
    this.client = client;
  }

  private WorkflowStub start(String extra) throws Exception {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            DemoRunbookWorkflow.TYPE,
            WorkflowOptions.newBuilder()
                .setTaskQueue(mocks.taskQueue())
                .setWorkflowId("notify-" + System.nanoTime())
                .build());
    stub.start(
        JSON.readTree(
            "{\"requestedBy\": \"carol\", \"label\": \"db1\", \"notify\": {\"topics\": [\"ops\"]}"
                + (extra.isEmpty() ? "" : ", " + extra)
                + "}"));
    return stub;
  }

  private List<String> events() {
    return sent.stream().map(Notification::event).toList();
  }

  @Test
  void aGateARefusalAndTheEndGoOutInOrderEachOnceWithItsOwnKey() throws Exception {
    WorkflowStub stub = start("");
    atGate(stub, "go");
    // carol started the run: her own approval is refused (and told), bob's opens the gate.
    stub.signal("approve", new Signals.Approve("go", "carol", "mine", null));
    stub.signal("approve", new Signals.Approve("go", "bob", "ok", null));
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(events())
        .containsExactly(
            NotifyActivities.GATE_WAITING,
            NotifyActivities.REFUSAL,
            NotifyActivities.RUN_COMPLETED);
    String id = stub.getExecution().getWorkflowId();
    String run = stub.getExecution().getRunId();
    Notification gate = sent.get(0);
    assertThat(gate.key()).isEqualTo(id + "/" + run + "/go/gate-waiting");
    assertThat(gate.gate()).isEqualTo("go");
    assertThat(gate.topics()).containsExactly("ops");
    assertThat(gate.details().path("approveCommand").asText())
        .isEqualTo("signalbox approve " + id + " --gate go --as NAME");
    assertThat(gate.details().path("deadline").asText()).isNotBlank();
    assertThat(gate.details().path("summary").asText()).contains("inspected");
    assertThat(sent.get(1).details().path("by").asText()).isEqualTo("carol");
    assertThat(sent.get(1).details().path("refusal").asText()).isNotBlank();
    assertThat(sent.get(2).details().path("outcome").asText()).isEqualTo("COMPLETED");
    assertThat(sent.stream().map(Notification::key).distinct()).hasSize(3);

    assertThat(result.notifications())
        .extracting(NotificationOutcome::event, NotificationOutcome::status)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                NotifyActivities.GATE_WAITING, NotificationOutcome.DELIVERED),
            org.assertj.core.groups.Tuple.tuple(
                NotifyActivities.REFUSAL, NotificationOutcome.DELIVERED),
            org.assertj.core.groups.Tuple.tuple(
                NotifyActivities.RUN_COMPLETED, NotificationOutcome.DELIVERED));
    // The evidence carries them too.
    verify(evidence)
        .record(
            argThat(
                in ->
                    in.result().notifications() != null
                        && in.result().notifications().size() == 3));

    // Replaying the run's history sends nothing again: each delivery is one command in it.
    WorkflowReplayer.replayWorkflowExecution(
        client.fetchHistory(id, run), DemoRunbookWorkflowImpl.class);
  }

  @Test
  void anUndecidedGateIsToldItsDeadlineIsNearOnceAndADecidedOneIsNot() throws Exception {
    WorkflowStub stub = start("\"approvals\": {\"timeout\": \"PT2H\"}");
    atGate(stub, "go");
    env.sleep(Duration.ofMinutes(61));
    stub.signal("approve", new Signals.Approve("go", "bob", "ok", null));
    assertThat(stub.getResult(RunbookResult.class).outcome()).isEqualTo("COMPLETED");
    assertThat(events())
        .containsExactly(
            NotifyActivities.GATE_WAITING,
            NotifyActivities.GATE_DEADLINE_NEAR,
            NotifyActivities.RUN_COMPLETED);
    assertThat(sent.get(1).details().path("lead").asText()).isEqualTo("PT1H");
  }

  @Test
  void aGateDecidedBeforeItsLeadTimeSendsNoDeadlineMessage() throws Exception {
    WorkflowStub stub = start("\"approvals\": {\"timeout\": \"PT2H\"}");
    atGate(stub, "go");
    env.sleep(Duration.ofMinutes(30));
    stub.signal("approve", new Signals.Approve("go", "bob", "ok", null));
    stub.getResult(RunbookResult.class);
    env.sleep(Duration.ofHours(3));
    assertThat(events()).doesNotContain(NotifyActivities.GATE_DEADLINE_NEAR);
  }

  @Test
  void aFailedDeliveryIsRecordedAndNeverChangesTheOutcome() throws Exception {
    doThrow(
            ApplicationFailure.newNonRetryableFailure(
                "not delivered to hook: HTTP 400", "PreconditionFailed"))
        .when(notify)
        .deliver(any());
    WorkflowStub stub = start("");
    atGate(stub, "go");
    stub.signal("approve", new Signals.Approve("go", "bob", "ok", null));
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.notifications()).hasSize(2);
    assertThat(result.notifications())
        .allSatisfy(
            o -> {
              assertThat(o.status()).isEqualTo(NotificationOutcome.FAILED);
              assertThat(o.detail()).contains("HTTP 400");
            });
  }

  @Test
  void noStepWaitsOnADelivery() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    doAnswer(
            i -> {
              sent.add(i.getArgument(0));
              release.await(30, TimeUnit.SECONDS);
              return new Delivery(List.of());
            })
        .when(notify)
        .deliver(any());
    try {
      WorkflowStub stub = start("");
      atGate(stub, "go");
      stub.signal("approve", new Signals.Approve("go", "bob", "ok", null));
      // The gate-waiting delivery is still hanging, and the run went on to its last step.
      verify(steps, timeout(20_000)).inspect(argThat(c -> c != null && c.name().equals("verify")));
      assertThat(release.getCount()).isEqualTo(1);
      assertThat(events()).startsWith(NotifyActivities.GATE_WAITING);
      release.countDown();
      RunbookResult result = stub.getResult(RunbookResult.class);
      assertThat(result.outcome()).isEqualTo("COMPLETED");
      assertThat(result.notifications()).hasSize(2);
    } finally {
      release.countDown();
    }
  }

  @Test
  void aRejectedRunSaysItWasRolledBackAndWhy() throws Exception {
    WorkflowStub stub = start("");
    atGate(stub, "go");
    stub.signal("reject", new Signals.Reject("go", "bob", "not today"));
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("GateRejected");
    Notification end = sent.get(sent.size() - 1);
    assertThat(end.event()).isEqualTo(NotifyActivities.RUN_ROLLED_BACK);
    assertThat(end.details().path("failureType").asText()).isEqualTo("GateRejected");
    assertThat(end.details().path("message").asText()).contains("not today");
    assertThat(end.title()).contains("GateRejected");
  }

  @Test
  void aCancelledRunStillSendsItsEnd() throws Exception {
    WorkflowStub stub = start("");
    atGate(stub, "go");
    stub.cancel();
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    assertThat(events())
        .containsExactly(NotifyActivities.GATE_WAITING, NotifyActivities.RUN_CANCELLED);
    verify(evidence)
        .record(
            argThat(
                in ->
                    in.result().notifications() != null
                        && in.result().notifications().stream()
                            .anyMatch(o -> o.event().equals(NotifyActivities.RUN_CANCELLED))));
  }

  @Test
  void aTopicTheWorkerDoesNotAllowFailsTheRunAtOnce() throws Exception {
    when(notify.plan(any()))
        .thenReturn(
            new Plan(
                NotifyActivities.EVENTS,
                List.of(),
                List.of("$.notify.topics[0]: 'ops' is not allowed on this worker; allowed: none"),
                null));
    WorkflowStub stub = start("");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("InvalidInput");
    assertThat(f.getOriginalMessage()).contains("$.notify.topics[0]").contains("not allowed");
    verify(steps, never()).apply(any());
  }

  @Test
  void aWorkerWithoutNotifiersSchedulesNoDelivery() throws Exception {
    when(notify.plan(any())).thenReturn(Plan.NONE);
    WorkflowStub stub = start("");
    atGate(stub, "go");
    stub.signal("approve", new Signals.Approve("go", "bob", "ok", null));
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.notifications()).isNull();
    verify(notify, never()).deliver(any());
  }
}
