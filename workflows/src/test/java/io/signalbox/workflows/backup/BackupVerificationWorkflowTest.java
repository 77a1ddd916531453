package io.signalbox.workflows.backup;

import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;

/**
 * BackupVerification's flow with mocked activities: the step order, where each step runs, the
 * scratch database dropped on every end, a fresh dump deleted, the failure types and messages.
 */
// A workflow bug shows as a workflow task retried forever: fail the test instead of hanging.
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackupVerificationWorkflowTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HOST_QUEUE = "signalbox-host-a";

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(BackupVerificationWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final PostgresActivities postgres =
      mock(PostgresActivities.class, withSettings().withoutAnnotations());
  private final CopyActivities anyCopy =
      mock(CopyActivities.class, withSettings().withoutAnnotations());
  private final CopyActivities hostCopy =
      mock(CopyActivities.class, withSettings().withoutAnnotations());
  private final BackupActivities anyBackup =
      mock(BackupActivities.class, withSettings().withoutAnnotations());
  private final BackupActivities hostBackup =
      mock(BackupActivities.class, withSettings().withoutAnnotations());
  private final InputActivities inputs =
      mock(InputActivities.class, withSettings().withoutAnnotations());
  private final EvidenceActivities evidence =
      mock(EvidenceActivities.class, withSettings().withoutAnnotations());

  private WorkflowClient client;
  private String taskQueue;

  static final ServerDescription SOURCE =
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

  static final BackupActivities.DumpInfo DUMP =
      new BackupActivities.DumpInfo(
          "/dumps/c1",
          HOST_QUEUE,
          "copy-1",
          "gitea@old:5432/gitea",
          "gitea",
          150008,
          "15.8",
          "pg_dump (PostgreSQL) 15.8",
          "2026-11-22T10:00:00Z",
          3,
          42,
          9000,
          true,
          true);

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
    when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("e/1", null, null));
    when(postgres.describe(any())).thenReturn(SOURCE);
    when(anyBackup.checkScratch(any()))
        .thenReturn(
            new BackupActivities.ScratchReport(
                "postgres@scratch:5432/postgres", 150008, "15.8", true, true, "15.8", List.of()));
    when(anyBackup.inspect(any())).thenReturn(DUMP);
    when(anyCopy.checkTools(any()))
        .thenReturn(new CopyActivities.ToolsReport("pg_dump (PostgreSQL) 15.8", "/usr/bin"));
    when(anyCopy.dump(any()))
        .thenReturn(
            new CopyActivities.DumpResult(
                "/dumps/backup-1",
                HOST_QUEUE,
                "00000003-1",
                "2026-11-22T10:00:00Z",
                3,
                42,
                9000,
                "15.8",
                "15.8",
                1200));
    when(hostBackup.checkFiles(any())).thenReturn(files(true));
    when(anyBackup.createScratch(any()))
        .thenAnswer(i -> new BackupActivities.ScratchResult("x", true));
    when(anyBackup.dropScratch(any()))
        .thenAnswer(i -> new BackupActivities.ScratchResult("x", true));
    when(hostCopy.restore(any())).thenReturn(new CopyActivities.RestoreResult(false, 800, "15.8"));
    when(hostCopy.verify(any())).thenReturn(report(true));
    when(anyBackup.amcheck(any()))
        .thenReturn(
            new BackupActivities.AmcheckReport(
                true, "pg_amcheck found no corruption", List.of(), List.of("pg_amcheck"), 5));
    when(hostBackup.deleteDump(any()))
        .thenReturn(new BackupActivities.DeleteDumpResult(true, 9000));
    worker.registerActivitiesImplementations(postgres, anyCopy, anyBackup, inputs, evidence);
    Worker onDumpHost = env.newWorker(HOST_QUEUE);
    onDumpHost.registerActivitiesImplementations(hostCopy, hostBackup);
    env.start();
    this.client = client;
    this.taskQueue = worker.getTaskQueue();
  }

  private WorkflowStub start(String backup, String extra) throws Exception {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            BackupVerificationWorkflow.TYPE,
            WorkflowOptions.newBuilder()
                .setTaskQueue(taskQueue)
                .setWorkflowId("backup-verification-1")
                .build());
    stub.start(
        JSON.readTree(
            """
            {"requestedBy": "alice",
             "database": {"host": "old", "database": "gitea", "user": "gitea",
                          "password": {"env": "SRC_PW"}},
             "backup": %s,
             "scratch": {"host": "scratch", "database": "postgres", "user": "postgres"},
             "copy": {"jobs": 2}%s}
            """
                .formatted(backup, extra)));
    return stub;
  }

  private static BackupActivities.FilesReport files(boolean ok) {
    return ok
        ? new BackupActivities.FilesReport(true, true, 5, 9000, List.of(), "5 files match")
        : new BackupActivities.FilesReport(
            false,
            true,
            5,
            9000,
            List.of("data file 3581.dat (table public.repo) is truncated: 10 bytes, recorded 30"),
            "1 of 5 files differ");
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
            new CopyActivities.TableCheck("public.repo", 30L, 30L, "5", "5", true, null)),
        List.of(),
        List.of());
  }

  private static List<String> steps(RunbookResult result) {
    return result.steps().stream().map(s -> s.name() + ":" + s.state()).toList();
  }

  // ------------------------------------------------------------------ passing

  @Test
  void aGoodBackupPassesWithItsRtoAndTheScratchDatabaseDropped() throws Exception {
    WorkflowStub stub = start("{\"path\": \"/dumps/c1\"}", ", \"name\": \"gitea\"");
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.rtoSeconds()).isNotNull().isGreaterThanOrEqualTo(0.0);
    assertThat(steps(result))
        .containsExactly(
            "preflight:DONE",
            "check-files:DONE",
            "create-scratch:DONE",
            "restore:DONE",
            "verify:DONE",
            "amcheck:DONE",
            "restore-time:DONE",
            "drop-scratch:DONE");
    assertThat(result.verification().path("passed").asBoolean()).isTrue();
    assertThat(result.verification().path("database").asText()).isEqualTo("gitea");
    assertThat(result.verification().path("maxRestoreSeconds").asDouble()).isEqualTo(3600.0);
    assertThat(result.verification().path("dump").path("takenAt").asText())
        .isEqualTo("2026-11-22T10:00:00Z");
    assertThat(result.verification().path("dump").path("kept").asBoolean()).isTrue();
    assertThat(result.verification().path("tables")).hasSize(2);
    assertThat(result.verification().path("restore").path("matches").asBoolean()).isTrue();
    assertThat(result.verification().path("amcheck").path("ok").asBoolean()).isTrue();

    // The scratch database: created, then dropped, with a generated name that names the run.
    InOrder order = inOrder(anyBackup, hostCopy);
    order.verify(anyBackup).createScratch(argThat(r -> r.name().startsWith("signalbox_verify_")));
    order.verify(hostCopy).restore(argThat(r -> r.target().database().startsWith("signalbox_")));
    order.verify(anyBackup).dropScratch(any());
    verify(anyBackup)
        .createScratch(argThat(r -> r.name().length() == 29 && "UTF8".equals(r.encoding())));
    // What reads the dump's files runs on the worker that holds them.
    verify(hostBackup).checkFiles(argThat(r -> r.dumpPath().equals("/dumps/c1")));
    verify(hostCopy).verify(argThat(r -> r.dumpPath().equals("/dumps/c1") && r.checksums()));
    verify(anyCopy, never()).restore(any());
    verify(anyCopy, never()).dump(any());
    verify(hostBackup, never()).deleteDump(any());
  }

  @Test
  void takeNewDumpsWithChecksumsVerifiesAndDeletesTheDump() throws Exception {
    WorkflowStub stub = start("{\"takeNew\": true}", "");
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(steps(result))
        .containsExactly(
            "preflight:DONE",
            "dump:DONE",
            "check-files:DONE",
            "create-scratch:DONE",
            "restore:DONE",
            "verify:DONE",
            "amcheck:DONE",
            "restore-time:DONE",
            "drop-scratch:DONE",
            "delete-dump:DONE");
    verify(anyCopy)
        .dump(
            argThat(
                d ->
                    d.checksums()
                        && d.copyId().equals("backup-verification-1")
                        && d.dumpKey() != null));
    verify(hostCopy).restore(argThat(r -> r.dumpPath().equals("/dumps/backup-1")));
    verify(hostBackup).deleteDump(argThat(r -> r.dumpPath().equals("/dumps/backup-1")));
    verify(anyBackup, never()).inspect(any());
    assertThat(result.verification().path("dump").path("takenNew").asBoolean()).isTrue();
    assertThat(result.verification().path("dump").path("kept").asBoolean()).isFalse();
  }

  @Test
  void takeNewWithKeepKeepsTheDump() throws Exception {
    WorkflowStub stub = start("{\"takeNew\": true, \"keep\": true}", "");
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(steps(result)).doesNotContain("delete-dump:DONE");
    verify(hostBackup, never()).deleteDump(any());
  }

  // ------------------------------------------------------------------ failing

  @Test
  void aMismatchFailsNamingTheTableAndDropsTheScratchDatabaseAndTheFreshDump() throws Exception {
    when(hostCopy.verify(any())).thenReturn(report(false));
    WorkflowStub stub = start("{\"takeNew\": true}", "");
    ApplicationFailure failure = failureOf(stub);

    assertThat(failure.getType()).isEqualTo("VerificationFailed");
    assertThat(failure.getOriginalMessage())
        .contains("does not match its manifest")
        .contains("public.\"user\": row count 10 != 9")
        .doesNotContain("public.repo:");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(steps(result))
        .contains("verify:FAILED", "undo:create-scratch:UNDONE", "undo:dump:UNDONE")
        .doesNotContain("amcheck:DONE");
    assertThat(result.verification().path("passed").asBoolean()).isFalse();
    assertThat(result.verification().path("restore").path("matches").asBoolean()).isFalse();
    assertThat(result.rtoSeconds()).isNotNull();
    verify(anyBackup).dropScratch(any());
    verify(hostBackup).deleteDump(argThat(r -> r.dumpPath().equals("/dumps/backup-1")));
  }

  @Test
  void aDamagedFileFailsBeforeAnythingIsRestored() throws Exception {
    when(hostBackup.checkFiles(any())).thenReturn(files(false));
    WorkflowStub stub = start("{\"path\": \"/dumps/c1\"}", "");
    ApplicationFailure failure = failureOf(stub);

    assertThat(failure.getType()).isEqualTo("VerificationFailed");
    assertThat(failure.getOriginalMessage())
        .contains("/dumps/c1 is not as it was written")
        .contains("data file 3581.dat (table public.repo) is truncated");
    verify(anyBackup, never()).createScratch(any());
    verify(hostCopy, never()).restore(any());
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(result.verification().path("files").path("ok").asBoolean()).isFalse();
    assertThat(steps(result)).containsExactly("preflight:DONE", "check-files:FAILED");
  }

  @Test
  void aDumpThatDoesNotRestoreIsAFailedVerification() throws Exception {
    when(hostCopy.restore(any()))
        .thenThrow(
            ApplicationFailure.newFailure(
                "pg_restore into x failed: exit code 1: could not open input file", "Transient"));
    WorkflowStub stub = start("{\"path\": \"/dumps/c1\"}", "");
    ApplicationFailure failure = failureOf(stub);

    assertThat(failure.getType()).isEqualTo("VerificationFailed");
    assertThat(failure.getOriginalMessage())
        .contains("The backup /dumps/c1 does not restore into signalbox_verify_")
        .contains("could not open input file");
    verify(hostCopy, times(3)).restore(any()); // RESTORE's attempts
    verify(anyBackup).dropScratch(any());
  }

  @Test
  void aRestoreSlowerThanTheLimitFailsWithBothFigures() throws Exception {
    when(hostCopy.restore(any()))
        .thenAnswer(
            i -> {
              Thread.sleep(50);
              return new CopyActivities.RestoreResult(false, 50, "15.8");
            });
    WorkflowStub stub = start("{\"path\": \"/dumps/c1\"}", ", \"maxRestoreTime\": \"PT0.001S\"");
    ApplicationFailure failure = failureOf(stub);

    assertThat(failure.getType()).isEqualTo("VerificationFailed");
    assertThat(failure.getOriginalMessage())
        .containsPattern("The restore took \\d+\\.\\d+ s, longer than maxRestoreTime PT0.001S")
        .contains("(0.001 s)");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    assertThat(result.rtoSeconds()).isGreaterThan(0.001);
    assertThat(steps(result)).contains("amcheck:DONE", "restore-time:FAILED");
    verify(anyBackup).dropScratch(any());
  }

  @Test
  void aCancelDuringTheRestoreDropsTheScratchDatabase() throws Exception {
    CountDownLatch restoring = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    when(hostCopy.restore(any()))
        .thenAnswer(
            i -> {
              restoring.countDown();
              release.await(30, TimeUnit.SECONDS);
              return new CopyActivities.RestoreResult(false, 50, "15.8");
            });
    WorkflowStub stub = start("{\"path\": \"/dumps/c1\"}", "");
    try {
      assertThat(restoring.await(20, TimeUnit.SECONDS)).isTrue();
      stub.cancel();
      WorkflowFailedException e =
          catchThrowableOfType(
              WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
      assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    } finally {
      release.countDown();
    }
    verify(anyBackup).dropScratch(any());
  }

  @Test
  void bothPathAndTakeNewIsInvalidInputAndTouchesNothing() throws Exception {
    WorkflowStub stub = start("{\"path\": \"/dumps/c1\", \"takeNew\": true}", "");
    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("InvalidInput");
    assertThat(failure.getOriginalMessage()).contains("backup: give exactly one of backup.path");
    verify(postgres, never()).describe(any());
    verify(anyBackup, never()).createScratch(any());
  }

  @Test
  void aDumpOfAnotherDatabaseIsInvalidInput() throws Exception {
    when(anyBackup.inspect(any()))
        .thenReturn(
            new BackupActivities.DumpInfo(
                "/dumps/c1",
                null,
                "c",
                "u@h:5432/other",
                "other",
                150008,
                "15.8",
                "15.8",
                "2026-11-22T10:00:00Z",
                1,
                1,
                1,
                true,
                true));
    WorkflowStub stub = start("{\"path\": \"/dumps/c1\"}", "");
    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).isEqualTo("InvalidInput");
    assertThat(failure.getOriginalMessage())
        .contains("backup.path /dumps/c1 is a dump of database other")
        .contains("not of database.database gitea");
    verify(anyBackup, never()).createScratch(any());
  }

  @Test
  void aDryRunChecksTheFilesAndCreatesNothing() throws Exception {
    WorkflowStub stub = start("{\"path\": \"/dumps/c1\"}", ", \"dryRun\": true");
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(steps(result))
        .containsExactly("preflight:DONE", "check-files:DONE", "restore:SKIPPED");
    assertThat(result.plan().path("scratch").asText()).contains("signalbox_verify_");
    verify(anyBackup, never()).createScratch(any());
    verify(hostCopy, never()).restore(any());
  }

  @Test
  void scratchNamesComeFromTheRunId() {
    assertThat(BackupVerificationWorkflowImpl.scratchName("8f14e45f-ceea-467f-a0e5-1d2c3b4a5f60"))
        .isEqualTo("signalbox_verify_8f14e45fceea");
  }
}
