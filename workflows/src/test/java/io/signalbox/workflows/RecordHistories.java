package io.signalbox.workflows;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.copy.CheckTargetResult;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.PostgresCopyWorkflow;
import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookStatus;
import io.signalbox.workflows.core.Signals;
import io.signalbox.workflows.demo.DemoRunbookWorkflow;
import io.signalbox.workflows.demo.DemoRunbookWorkflowImpl;
import io.signalbox.workflows.demo.RecordingDemoActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Records the histories that {@code ReplayTest} replays. Run it only when a released workflow is
 * meant to change its history (and then guard the change with {@code Workflow.getVersion}). A
 * history that exists is kept: it is the record of what the older version did, and the replay test
 * proves today's code still replays it. Delete a file to record it again.
 *
 * <pre>
 * ./mvnw -q -pl workflows test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp workflows/target/test-classes:workflows/target/classes:$(cat workflows/target/cp.txt) \
 *   io.signalbox.workflows.RecordHistories workflows/src/test/resources/histories
 * </pre>
 */
public final class RecordHistories {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "workflows/src/test/resources/histories");
    Files.createDirectories(dir);
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      Worker worker = env.newWorker("signalbox");
      worker.registerWorkflowImplementationTypes(
          DemoRunbookWorkflowImpl.class, PostgresCopyWorkflowImpl.class);
      InputActivities inputs = mock(InputActivities.class, withSettings().withoutAnnotations());
      when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
      EvidenceActivities evidence =
          mock(EvidenceActivities.class, withSettings().withoutAnnotations());
      when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("e", null, null));
      PostgresActivities postgres =
          mock(PostgresActivities.class, withSettings().withoutAnnotations());
      ServerDescription db =
          new ServerDescription(
              "u@h:5432/d", 150008, "15.8", "PostgreSQL 15.8", 1, List.of(), 1, "UTF8", "C", false);
      when(postgres.describe(any())).thenReturn(db);
      when(postgres.checkTarget(any())).thenReturn(new CheckTargetResult(db, List.of(), List.of()));
      CopyActivities copy = mock(CopyActivities.class, withSettings().withoutAnnotations());
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
      worker.registerActivitiesImplementations(
          new RecordingDemoActivities(), inputs, evidence, postgres, copy);
      CopyActivities onHostB = mock(CopyActivities.class, withSettings().withoutAnnotations());
      when(onHostB.restore(any())).thenReturn(new CopyActivities.RestoreResult(false, 10, "15.8"));
      when(onHostB.verify(any()))
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
      // The worker of the dump host that is alive (the redo's): registered before the start.
      env.newWorker("signalbox-host-b").registerActivitiesImplementations(onHostB);
      env.start();
      WorkflowClient client = env.getWorkflowClient();

      WorkflowStub demo =
          client.newUntypedWorkflowStub(
              DemoRunbookWorkflow.TYPE,
              WorkflowOptions.newBuilder().setTaskQueue("signalbox").setWorkflowId("demo").build());
      demo.start(JSON.readTree("{\"requestedBy\": \"carol\", \"label\": \"db1\"}"));
      while (demo.query("status", RunbookStatus.class).pendingGate() == null) {
        Thread.sleep(20);
      }
      demo.signal("approve", new Signals.Approve("go", "alice", "ok", null));
      demo.getResult(RunbookResult.class);
      write(dir.resolve("demo-runbook-approved.json"), client, "demo");

      WorkflowStub pgcopy =
          client.newUntypedWorkflowStub(
              PostgresCopyWorkflow.TYPE,
              WorkflowOptions.newBuilder().setTaskQueue("signalbox").setWorkflowId("copy").build());
      pgcopy.start(
          JSON.readTree(
              "{\"requestedBy\": \"carol\", \"source\": {\"host\": \"a\", \"database\": \"d\","
                  + " \"user\": \"u\"}, \"target\": {\"host\": \"b\", \"database\": \"d\","
                  + " \"user\": \"u\"}}"));
      pgcopy.getResult(RunbookResult.class);
      write(dir.resolve("postgres-copy-completed.json"), client, "copy");

      // The dump host's queue has no worker (its pod was recreated under another name): after
      // copy.hostTimeout the copy is redone from a fresh dump whose host is alive.
      when(copy.dump(any()))
          .thenReturn(
              new CopyActivities.DumpResult(
                  "/d/c",
                  "signalbox-host-gone",
                  "s-1",
                  "2026-11-22T00:00:00Z",
                  1,
                  5,
                  100,
                  "15.8",
                  "15.8",
                  10),
              new CopyActivities.DumpResult(
                  "/d/c",
                  "signalbox-host-b",
                  "s-2",
                  "2026-11-22T00:00:05Z",
                  1,
                  5,
                  100,
                  "15.8",
                  "15.8",
                  10));
      WorkflowStub redo =
          client.newUntypedWorkflowStub(
              PostgresCopyWorkflow.TYPE,
              WorkflowOptions.newBuilder()
                  .setTaskQueue("signalbox")
                  .setWorkflowId("copy-redo")
                  .build());
      redo.start(
          JSON.readTree(
              "{\"requestedBy\": \"carol\", \"source\": {\"host\": \"a\", \"database\": \"d\","
                  + " \"user\": \"u\"}, \"target\": {\"host\": \"b\", \"database\": \"d\","
                  + " \"user\": \"u\"}, \"copy\": {\"hostTimeout\": \"PT1S\"}}"));
      redo.getResult(RunbookResult.class);
      write(dir.resolve("postgres-copy-redo.json"), client, "copy-redo");
    } finally {
      env.close();
    }
  }

  private static void write(Path file, WorkflowClient client, String workflowId) throws Exception {
    if (Files.exists(file)) {
      return; // kept: see the class comment
    }
    Files.writeString(file, client.fetchHistory(workflowId).toJson(true));
  }
}
