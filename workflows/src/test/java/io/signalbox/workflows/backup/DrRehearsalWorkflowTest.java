package io.signalbox.workflows.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.backup.BackupHistoryActivities.DatabaseHistory;
import io.signalbox.workflows.backup.BackupHistoryActivities.HistoryRequest;
import io.signalbox.workflows.backup.BackupHistoryActivities.HistoryResult;
import io.signalbox.workflows.backup.BackupHistoryActivities.PastRun;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.testing.RunbookStubs;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.ArgumentCaptor;

/**
 * DrRehearsal with fake {@code BackupVerification} children and mocked activities: every database
 * is verified (at most {@code parallelism} at once), one failing does not stop the others, and the
 * report tells PASSED, FAILED and STALE apart.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrRehearsalWorkflowTest {
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

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private String taskQueue;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    FakeBackupVerification.reset();
    when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
    when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("e/1", null, null));
    when(history.read(any())).thenReturn(new HistoryResult(true, null, List.of()));
    worker.registerActivitiesImplementations(inputs, evidence, history);
    env.start();
    this.env = env;
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  private static String database(String db, String host, String extra) {
    return """
        {"database": {"host": "%s", "database": "%s", "user": "postgres"},
         "backup": {"takeNew": true},
         "scratch": {"host": "scratch", "database": "postgres", "user": "postgres"}%s}
        """
        .formatted(host, db, extra);
  }

  private WorkflowStub start(String id, String extra, String... databases) throws Exception {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            DrRehearsalWorkflow.TYPE,
            WorkflowOptions.newBuilder().setTaskQueue(taskQueue).setWorkflowId(id).build());
    stub.start(
        JSON.readTree(
            """
            {"requestedBy": "schedule:dr-rehearsal-monthly", "databases": [%s]%s}
            """
                .formatted(String.join(",", databases), extra)));
    return stub;
  }

  private String ago(Duration d) {
    return Instant.ofEpochMilli(env.currentTimeMillis()).minus(d).toString();
  }

  private static JsonNode entry(JsonNode report, String name) {
    for (JsonNode e : report.path("databases")) {
      if (e.path("name").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no entry for " + name + " in " + report);
  }

  @Test
  void everyDatabasePassesAndTheRunCompletesWithTheReport() throws Exception {
    FakeBackupVerification.BEHAVIOUR.put(
        "gitea@db1", new FakeBackupVerification.Behaviour(42.5, null));
    FakeBackupVerification.BEHAVIOUR.put(
        "statehub", new FakeBackupVerification.Behaviour(7200.0, null));
    when(history.read(any()))
        .thenReturn(
            new HistoryResult(
                true,
                null,
                List.of(
                    new DatabaseHistory(
                        "gitea@db1",
                        ago(Duration.ofDays(31)),
                        "dr-old-gitea-db1",
                        List.of(
                            new PastRun(
                                "dr-old-gitea-db1", ago(Duration.ofDays(31)), "COMPLETED", 40.0),
                            new PastRun(
                                "dr-older-gitea-db1",
                                ago(Duration.ofDays(62)),
                                "FAILED",
                                39.0))))));

    WorkflowStub stub =
        start(
            "dr-1",
            "",
            database("gitea", "db1", ""),
            database("statehub", "db2", ", \"name\": \"statehub\", \"maxRestoreTime\": \"PT3H\""));
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(FakeBackupVerification.STARTED)
        .containsExactlyInAnyOrder("dr-1-gitea-db1", "dr-1-statehub");
    JsonNode report = result.verification();
    assertThat(report.path("summary").asText()).isEqualTo("2 of 2 databases passed");
    JsonNode gitea = entry(report, "gitea@db1");
    assertThat(gitea.path("status").asText()).isEqualTo("PASSED");
    assertThat(gitea.path("rtoSeconds").asDouble()).isEqualTo(42.5);
    assertThat(gitea.path("limitSeconds").asLong()).isEqualTo(3600);
    assertThat(gitea.path("rtoWithinLimit").asBoolean()).isTrue();
    assertThat(gitea.path("childWorkflowId").asText()).isEqualTo("dr-1-gitea-db1");
    assertThat(gitea.path("evidenceId").asText()).isEqualTo("ev/gitea@db1");
    // The previous success is 31 days old (plus the rehearsal's own time): shown, not STALE.
    assertThat(gitea.path("newestPreviousSuccessAgeSeconds").asLong())
        .isBetween(31L * 86400, 31L * 86400 + 3600);
    assertThat(gitea.path("trend")).hasSize(2);
    assertThat(gitea.path("trend").get(0).path("rtoSeconds").asDouble()).isEqualTo(40.0);
    JsonNode statehub = entry(report, "statehub");
    assertThat(statehub.path("limitSeconds").asLong()).isEqualTo(3 * 3600);
    assertThat(statehub.path("rtoWithinLimit").asBoolean()).isTrue();
    assertThat(
            statehub.path("newestPreviousSuccessAt").isMissingNode()
                || statehub.path("newestPreviousSuccessAt").isNull())
        .isTrue();

    // Children get requestedBy from the top and their name made explicit.
    assertThat(FakeBackupVerification.INPUTS)
        .allSatisfy(
            in ->
                assertThat(in.path("requestedBy").asText())
                    .isEqualTo("schedule:dr-rehearsal-monthly"));
    assertThat(FakeBackupVerification.INPUTS.stream().map(in -> in.path("name").asText()))
        .containsExactlyInAnyOrder("gitea@db1", "statehub");
    ArgumentCaptor<HistoryRequest> asked = ArgumentCaptor.forClass(HistoryRequest.class);
    verify(history).read(asked.capture());
    assertThat(asked.getValue().names()).containsExactly("gitea@db1", "statehub");
  }

  @Test
  void oneFailingDatabaseDoesNotStopTheOtherAndTheRunFailsWithTheWholeReport() throws Exception {
    FakeBackupVerification.BEHAVIOUR.put(
        "gitea@db1",
        new FakeBackupVerification.Behaviour(
            null, "table public.repo: row count 30 in the manifest, 29 restored"));
    when(history.read(any()))
        .thenReturn(
            new HistoryResult(
                true,
                null,
                List.of(
                    new DatabaseHistory(
                        "gitea@db1", ago(Duration.ofDays(3)), "dr-prev-gitea-db1", List.of()))));

    WorkflowStub stub =
        start("dr-2", "", database("gitea", "db1", ""), database("statehub", "db2", ""));
    ApplicationFailure failure = RunbookStubs.failureOf(stub);

    assertThat(failure.getType()).isEqualTo("VerificationFailed");
    assertThat(failure.getOriginalMessage())
        .contains("1 of 2 databases passed")
        .contains("FAILED: gitea@db1");
    assertThat(FakeBackupVerification.STARTED).hasSize(2);
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    JsonNode report = result.verification();
    JsonNode bad = entry(report, "gitea@db1");
    assertThat(bad.path("status").asText()).isEqualTo("FAILED");
    assertThat(bad.path("failureType").asText()).isEqualTo("VerificationFailed");
    assertThat(bad.path("message").asText()).contains("public.repo");
    assertThat(bad.path("newestPreviousSuccessAgeSeconds").asLong()).isLessThan(4L * 86400);
    JsonNode good = entry(report, "statehub@db2");
    assertThat(good.path("status").asText()).isEqualTo("PASSED");
    assertThat(good.path("rtoSeconds").asDouble()).isEqualTo(60.0);
    assertThat(report.path("passed").asInt()).isEqualTo(1);
    assertThat(report.path("failed").asInt()).isEqualTo(1);
    assertThat(report.path("stale").asInt()).isZero();
  }

  @Test
  void aDatabaseWithoutASuccessWithinMaxAgeIsStale() throws Exception {
    for (String name : List.of("old@db", "never@db", "recent@db")) {
      FakeBackupVerification.BEHAVIOUR.put(
          name, new FakeBackupVerification.Behaviour(null, "pg_restore failed"));
    }
    FakeBackupVerification.BEHAVIOUR.put(
        "fine@db", new FakeBackupVerification.Behaviour(10.0, null));
    when(history.read(any()))
        .thenReturn(
            new HistoryResult(
                true,
                null,
                List.of(
                    new DatabaseHistory("old@db", ago(Duration.ofDays(40)), "a", List.of()),
                    new DatabaseHistory("recent@db", ago(Duration.ofDays(10)), "b", List.of()),
                    new DatabaseHistory("fine@db", ago(Duration.ofDays(90)), "c", List.of()))));

    WorkflowStub stub =
        start(
            "dr-3",
            ", \"maxAge\": \"P30D\", \"parallelism\": 4",
            database("old", "db", ""),
            database("never", "db", ""),
            database("recent", "db", ""),
            database("fine", "db", ""));
    ApplicationFailure failure = RunbookStubs.failureOf(stub);

    assertThat(failure.getType()).isEqualTo("VerificationFailed");
    JsonNode report = failure.getDetails().get(RunbookResult.class).verification();
    assertThat(entry(report, "old@db").path("status").asText()).isEqualTo("STALE");
    assertThat(entry(report, "never@db").path("status").asText()).isEqualTo("STALE");
    assertThat(entry(report, "recent@db").path("status").asText()).isEqualTo("FAILED");
    // Passing now is a fresh success, however old the previous one.
    assertThat(entry(report, "fine@db").path("status").asText()).isEqualTo("PASSED");
    assertThat(report.path("stale").asInt()).isEqualTo(2);
    assertThat(report.path("summary").asText())
        .isEqualTo("1 of 4 databases passed; STALE: old@db, STALE: never@db, FAILED: recent@db");
  }

  @Test
  void noMoreThanParallelismVerificationsRunAtOnce() throws Exception {
    List<String> dbs = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      dbs.add(database("db" + i, "host", ""));
    }
    WorkflowStub stub = start("dr-4", ", \"parallelism\": 2", dbs.toArray(String[]::new));
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(FakeBackupVerification.STARTED).hasSize(5);
    assertThat(FakeBackupVerification.MAX_RUNNING.get()).isEqualTo(2);
  }

  @Test
  void historyThatCannotBeReadIsReportedAndNothingIsCalledStale() throws Exception {
    when(history.read(any()))
        .thenReturn(new HistoryResult(false, "no evidence database: evidence is files only", null));
    FakeBackupVerification.BEHAVIOUR.put(
        "gitea@db1", new FakeBackupVerification.Behaviour(null, "restore failed"));

    WorkflowStub stub = start("dr-5", "", database("gitea", "db1", ""));
    ApplicationFailure failure = RunbookStubs.failureOf(stub);

    JsonNode report = failure.getDetails().get(RunbookResult.class).verification();
    assertThat(report.path("history").asText()).contains("files only");
    assertThat(entry(report, "gitea@db1").path("status").asText()).isEqualTo("FAILED");
  }

  @Test
  void twoDatabasesWithTheSameChildIdAreRefusedBeforeAnythingRuns() throws Exception {
    WorkflowStub stub =
        start(
            "dr-6",
            "",
            database("gitea", "db1", ", \"name\": \"a@b\""),
            database("gitea", "db2", ", \"name\": \"a-b\""));
    ApplicationFailure failure = RunbookStubs.failureOf(stub);

    assertThat(failure.getType()).isEqualTo("InvalidInput");
    assertThat(failure.getOriginalMessage()).contains("$.databases[1].name").contains("a@b");
    assertThat(FakeBackupVerification.STARTED).isEmpty();
  }

  @Test
  void cancellingTheRehearsalCancelsItsRunningChildren() throws Exception {
    WorkflowStub stub =
        start("dr-7", "", database("gitea", "db1", ""), database("statehub", "db2", ""));
    // No result is awaited yet, so time does not skip: the children stay in their restore.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (FakeBackupVerification.RUNNING.get() < 2) {
      assertThat(System.nanoTime()).as("both children started").isLessThan(deadline);
      Thread.sleep(20);
    }

    stub.cancel();
    // Wait in real time until the cancel has reached both children: awaiting the result switches
    // time skipping back on, and a child's 10-minute sleep could then end before its cancel came.
    List<String> children = List.of("dr-7-gitea-db1", "dr-7-statehub-db2");
    for (String child : children) {
      while (client.newUntypedWorkflowStub(child).describe().getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        assertThat(System.nanoTime()).as(child + " cancelled").isLessThan(deadline);
        Thread.sleep(20);
      }
    }

    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    for (String child : children) {
      assertThat(client.newUntypedWorkflowStub(child).describe().getStatus())
          .as(child)
          .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    }
  }
}
