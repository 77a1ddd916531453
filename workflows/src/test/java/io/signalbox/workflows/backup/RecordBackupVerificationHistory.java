package io.signalbox.workflows.backup;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
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
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Records the BackupVerification history that {@link BackupVerificationReplayTest} replays: a
 * {@code takeNew} run that passes, so every step (dump, digests, scratch, restore, verify, amcheck,
 * drop, delete) is in it. Run it only when the workflow is meant to change its history (and guard
 * the change with {@code Workflow.getVersion}):
 *
 * <pre>
 * ./mvnw -q -pl workflows test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp workflows/target/test-classes:workflows/target/classes:$(cat workflows/target/cp.txt) \
 *   io.signalbox.workflows.backup.RecordBackupVerificationHistory \
 *   workflows/src/test/resources/histories
 * </pre>
 */
public final class RecordBackupVerificationHistory {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "workflows/src/test/resources/histories");
    Files.createDirectories(dir);
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      Worker worker = env.newWorker("signalbox");
      worker.registerWorkflowImplementationTypes(BackupVerificationWorkflowImpl.class);
      InputActivities inputs = mock(InputActivities.class, withSettings().withoutAnnotations());
      when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
      EvidenceActivities evidence =
          mock(EvidenceActivities.class, withSettings().withoutAnnotations());
      when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("e", null, null));
      PostgresActivities postgres =
          mock(PostgresActivities.class, withSettings().withoutAnnotations());
      when(postgres.describe(any()))
          .thenReturn(
              new ServerDescription(
                  "u@h:5432/d",
                  150008,
                  "15.8",
                  "PostgreSQL 15.8",
                  1,
                  List.of(),
                  1,
                  "UTF8",
                  "C",
                  false));
      CopyActivities copy = mock(CopyActivities.class, withSettings().withoutAnnotations());
      when(copy.checkTools(any())).thenReturn(new CopyActivities.ToolsReport("15.8", "/bin"));
      when(copy.dump(any()))
          .thenReturn(
              new CopyActivities.DumpResult(
                  "/d/c", null, "s-1", "2026-11-22T00:00:00Z", 1, 5, 100, "15.8", "15.8", 10));
      when(copy.restore(any())).thenReturn(new CopyActivities.RestoreResult(false, 10, "15.8"));
      when(copy.verify(any()))
          .thenReturn(
              new CopyActivities.VerificationReport(
                  true,
                  "1 table matches",
                  true,
                  5,
                  5,
                  List.of(new CopyActivities.TableCheck("public.t", 5L, 5L, "1", "1", true, null)),
                  List.of(),
                  List.of()));
      BackupActivities backup = mock(BackupActivities.class, withSettings().withoutAnnotations());
      when(backup.checkScratch(any()))
          .thenReturn(
              new BackupActivities.ScratchReport(
                  "u@s:5432/postgres", 150008, "15.8", true, true, "15.8", List.of()));
      when(backup.checkFiles(any()))
          .thenReturn(new BackupActivities.FilesReport(true, true, 2, 100, List.of(), "ok"));
      when(backup.createScratch(any())).thenReturn(new BackupActivities.ScratchResult("s", true));
      when(backup.dropScratch(any())).thenReturn(new BackupActivities.ScratchResult("s", true));
      when(backup.amcheck(any()))
          .thenReturn(new BackupActivities.AmcheckReport(true, "ok", List.of(), List.of(), 1));
      when(backup.deleteDump(any())).thenReturn(new BackupActivities.DeleteDumpResult(true, 100));
      worker.registerActivitiesImplementations(inputs, evidence, postgres, copy, backup);
      env.start();
      WorkflowClient client = env.getWorkflowClient();

      WorkflowStub run =
          client.newUntypedWorkflowStub(
              BackupVerificationWorkflow.TYPE,
              WorkflowOptions.newBuilder()
                  .setTaskQueue("signalbox")
                  .setWorkflowId("backup-verification")
                  .build());
      run.start(
          JSON.readTree(
              "{\"requestedBy\": \"carol\", \"database\": {\"host\": \"h\", \"database\": \"d\","
                  + " \"user\": \"u\"}, \"backup\": {\"takeNew\": true}, \"scratch\": {\"host\":"
                  + " \"s\", \"database\": \"postgres\", \"user\": \"u\"}}"));
      run.getResult(RunbookResult.class);
      Files.writeString(
          dir.resolve("backup-verification-completed.json"),
          client.fetchHistory("backup-verification").toJson(true));
    } finally {
      env.close();
    }
  }
}
