package io.signalbox.workflows.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
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

/** PostgresCopy's flow with mocked activities: routing, verification failures, dry run. */
// A workflow bug shows as a workflow task retried forever: fail the test instead of hanging.
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostgresCopyWorkflowTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOST_QUEUE = "signalbox-host-a";

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(PostgresCopyWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final PostgresActivities postgres =
      mock(PostgresActivities.class, withSettings().withoutAnnotations());
  private final CopyActivities anyHost =
      mock(CopyActivities.class, withSettings().withoutAnnotations());
  private final CopyActivities dumpHost =
      mock(CopyActivities.class, withSettings().withoutAnnotations());
  private final InputActivities inputs =
      mock(InputActivities.class, withSettings().withoutAnnotations());
  private final EvidenceActivities evidence =
      mock(EvidenceActivities.class, withSettings().withoutAnnotations());

  private WorkflowClient client;
  private String taskQueue;

  private static final ServerDescription SOURCE =
      new ServerDescription(
          "gitea@old:5432/gitea",
          150008,
          "15.8",
          "PostgreSQL 15.8",
          1_000_000,
          List.of(),
          3,
          "UTF8",
          "C.UTF-8",
          false);

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
    when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("e/1", null, null));
    when(postgres.describe(any())).thenReturn(SOURCE);
    when(postgres.checkTarget(any()))
        .thenReturn(new CheckTargetResult(SOURCE, List.of(), List.of()));
    when(anyHost.dump(any()))
        .thenReturn(
            new CopyActivities.DumpResult(
                "/dumps/c1",
                HOST_QUEUE,
                "00000003-1",
                "2026-11-22T10:00:00Z",
                3,
                42,
                9000,
                "15.8",
                "15.8",
                1200));
    when(dumpHost.restore(any())).thenReturn(new CopyActivities.RestoreResult(false, 800, "15.8"));
    worker.registerActivitiesImplementations(postgres, anyHost, inputs, evidence);
    Worker onDumpHost = env.newWorker(HOST_QUEUE);
    onDumpHost.registerActivitiesImplementations(dumpHost);
    env.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  private WorkflowStub start(String extra) throws Exception {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            PostgresCopyWorkflow.TYPE,
            WorkflowOptions.newBuilder().setTaskQueue(taskQueue).setWorkflowId("copy-1").build());
    stub.start(
        JSON.readTree(
            """
            {"requestedBy": "alice",
             "source": {"host": "old", "database": "gitea", "user": "gitea",
                        "password": {"env": "SRC_PW"}},
             "target": {"host": "new", "database": "gitea", "user": "gitea"},
             "copy": {"jobs": 2}%s}
            """
                .formatted(extra)));
    return stub;
  }

  private static CopyActivities.VerificationReport report(boolean ok) {
    return new CopyActivities.VerificationReport(
        ok,
        ok ? "3 tables match" : "1 of 3 tables differ",
        true,
        42,
        ok ? 42 : 41,
        List.of(
            new CopyActivities.TableCheck(
                "public.\"user\"",
                10L,
                ok ? 10L : 9L,
                "1",
                ok ? "1" : "2",
                ok,
                ok ? null : "row count 10 != 9"),
            new CopyActivities.TableCheck("public.repo", 30L, 30L, "5", "5", true, null),
            new CopyActivities.TableCheck("public.issue", 2L, 2L, "7", "7", true, null)),
        List.of(),
        List.of());
  }

  @Test
  void dumpsThenRestoresAndVerifiesOnTheWorkerThatHoldsTheDump() throws Exception {
    when(dumpHost.verify(any())).thenReturn(report(true));
    WorkflowStub stub = start("");
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.verification().path("matches").asBoolean()).isTrue();
    assertThat(result.verification().path("tables")).hasSize(3);
    assertThat(result.steps())
        .extracting(s -> s.name() + ":" + s.state())
        .containsExactly("preflight:DONE", "dump:DONE", "restore:DONE", "verify:DONE");
    verify(anyHost)
        .dump(
            org.mockito.ArgumentMatchers.argThat(
                d -> d.copyId().equals("copy-1") && d.checksums() && d.jobs() == 2));
    verify(dumpHost)
        .restore(org.mockito.ArgumentMatchers.argThat(r -> r.dumpPath().equals("/dumps/c1")));
    verify(anyHost, never()).restore(any());
    verify(anyHost, never()).verify(any());
  }

  @Test
  void aMismatchFailsWithVerificationFailedNamingTheTable() throws Exception {
    when(dumpHost.verify(any())).thenReturn(report(false));
    WorkflowStub stub = start("");
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    ApplicationFailure failure = (ApplicationFailure) e.getCause();
    assertThat(failure.getType()).isEqualTo("VerificationFailed");
    assertThat(failure.getOriginalMessage())
        .contains("public.\"user\": row count 10 != 9")
        .contains("left as it is for inspection")
        .doesNotContain("public.repo");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(result.verification().path("matches").asBoolean()).isFalse();
    assertThat(result.steps())
        .extracting(s -> s.name() + ":" + s.state())
        .containsExactly("preflight:DONE", "dump:DONE", "restore:DONE", "verify:DONE");
  }

  @Test
  void aTargetThatIsNotEmptyStopsTheCopyBeforeTheDump() throws Exception {
    when(postgres.checkTarget(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "target new/gitea has 4 user tables", "PreconditionFailed"));
    WorkflowStub stub = start("");
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    ApplicationFailure failure = (ApplicationFailure) e.getCause();
    assertThat(failure.getType()).isEqualTo("PreconditionFailed");
    assertThat(failure.getOriginalMessage()).contains("4 user tables");
    verify(anyHost, never()).dump(any());
    verify(dumpHost, never()).restore(any());
  }

  @Test
  void aDryRunReportsThePlanAndCopiesNothing() throws Exception {
    when(postgres.tableStats(any()))
        .thenReturn(
            new TableStatsResult(
                List.of(
                    new TableStats("public.repo", 30, null),
                    new TableStats("public.issue", 2, null)),
                null,
                false));
    WorkflowStub stub = start(", \"dryRun\": true");
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.plan().path("rows").asLong()).isEqualTo(32);
    assertThat(result.plan().path("tables").asInt()).isEqualTo(2);
    assertThat(result.steps())
        .extracting(s -> s.name() + ":" + s.state())
        .containsExactly("preflight:DONE", "plan:DONE", "dump:SKIPPED", "restore:SKIPPED");
    verify(anyHost, never()).dump(any());
    verify(dumpHost, never()).restore(any());
  }
}
