package io.signalbox.workflows.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.backup.BackupHistoryActivities.HistoryResult;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.NotificationOutcome;
import io.signalbox.workflows.core.NotifyActivities;
import io.signalbox.workflows.core.NotifyActivities.Delivery;
import io.signalbox.workflows.core.NotifyActivities.Notification;
import io.signalbox.workflows.core.NotifyActivities.Plan;
import io.signalbox.workflows.testing.RunbookStubs;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A DR rehearsal's end is told as {@code dr-rehearsal-finished}: pass/fail and RTO per database.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrRehearsalNotificationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              DrRehearsalWorkflowImpl.class, FakeBackupVerification.class)
          .setDoNotStart(true)
          .build();

  private final InputActivities inputs =
      mock(InputActivities.class, withSettings().withoutAnnotations());
  private final EvidenceActivities evidence =
      mock(EvidenceActivities.class, withSettings().withoutAnnotations());
  private final BackupHistoryActivities history =
      mock(BackupHistoryActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notify =
      mock(NotifyActivities.class, withSettings().withoutAnnotations());
  private final List<Notification> sent = new CopyOnWriteArrayList<>();
  private WorkflowStub stub;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker) throws Exception {
    FakeBackupVerification.reset();
    when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
    when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("e/1", null, null));
    when(history.read(any())).thenReturn(new HistoryResult(true, null, List.of()));
    when(notify.plan(any()))
        .thenReturn(new Plan(NotifyActivities.EVENTS, List.of(), List.of(), null));
    when(notify.deliver(any()))
        .thenAnswer(
            i -> {
              sent.add(i.getArgument(0));
              return new Delivery(List.of());
            });
    worker.registerActivitiesImplementations(inputs, evidence, history, notify);
    env.start();
    stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                DrRehearsalWorkflow.TYPE,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(worker.getTaskQueue())
                    .setWorkflowId("dr-notify")
                    .build());
  }

  private static String database(String db) {
    return """
        {"database": {"host": "db1", "database": "%s", "user": "postgres"},
         "backup": {"takeNew": true}, "maxRestoreTime": "PT1H",
         "scratch": {"host": "scratch", "database": "postgres", "user": "postgres"}}
        """
        .formatted(db);
  }

  @Test
  void theRehearsalsEndCarriesEachDatabasesResultAndRto() throws Exception {
    FakeBackupVerification.BEHAVIOUR.put(
        "gitea@db1", new FakeBackupVerification.Behaviour(42.5, null));
    FakeBackupVerification.BEHAVIOUR.put(
        "statehub@db1", new FakeBackupVerification.Behaviour(null, "restore failed: disk full"));
    stub.start(
        JSON.readTree(
            "{\"requestedBy\": \"schedule\", \"databases\": ["
                + database("gitea")
                + ","
                + database("statehub")
                + "]}"));
    assertThat(RunbookStubs.failureOf(stub).getType()).isEqualTo("VerificationFailed");

    assertThat(sent).hasSize(1);
    Notification end = sent.get(0);
    assertThat(end.event()).isEqualTo(NotifyActivities.DR_REHEARSAL_FINISHED);
    assertThat(end.title()).isEqualTo("DrRehearsal did not pass: VerificationFailed");
    JsonNode dbs = end.details().path("databases");
    assertThat(dbs).hasSize(2);
    assertThat(dbs.get(0).path("name").asText()).isEqualTo("gitea@db1");
    assertThat(dbs.get(0).path("status").asText()).isEqualTo("PASSED");
    assertThat(dbs.get(0).path("rtoSeconds").asDouble()).isEqualTo(42.5);
    assertThat(dbs.get(0).path("limitSeconds").asLong()).isEqualTo(3600);
    assertThat(dbs.get(1).path("status").asText()).isIn("FAILED", "STALE");
    assertThat(end.text()).contains("gitea@db1: PASSED, RTO 42.5 s (limit 3600 s)");
    assertThat(end.details().path("summary").asText()).contains("1 of 2 databases passed");
    org.mockito.Mockito.verify(evidence)
        .record(
            org.mockito.ArgumentMatchers.argThat(
                in ->
                    in.result().notifications() != null
                        && in.result()
                            .notifications()
                            .get(0)
                            .status()
                            .equals(NotificationOutcome.DELIVERED)));
  }
}
