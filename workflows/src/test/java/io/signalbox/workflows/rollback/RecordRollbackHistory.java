package io.signalbox.workflows.rollback;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.Signals;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Records the Rollback history that {@link RollbackReplayTest} replays: a rollback with carry-over
 * of a GiteaDbMigration in app mode, approved, so every step (evidence, preflight, measure, gate,
 * freeze-new, carry-over, repoint, start-app, health check, link-evidence) is in it. Run it only
 * when the workflow is meant to change its history (and guard the change with {@code
 * Workflow.getVersion}):
 *
 * <pre>
 * ./mvnw -q -pl workflows test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp workflows/target/test-classes:workflows/target/classes:$(cat workflows/target/cp.txt) \
 *   io.signalbox.workflows.rollback.RecordRollbackHistory workflows/src/test/resources/histories
 * </pre>
 */
public final class RecordRollbackHistory {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "workflows/src/test/resources/histories");
    Files.createDirectories(dir);
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      Worker worker = env.newWorker("signalbox");
      worker.registerWorkflowImplementationTypes(RollbackWorkflowImpl.class);
      worker.registerActivitiesImplementations(new RollbackMocks().all());
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      String id = RollbackInput.id(RollbackMocks.MIGRATION);
      WorkflowStub run =
          client.newUntypedWorkflowStub(
              RollbackWorkflow.TYPE,
              WorkflowOptions.newBuilder().setTaskQueue("signalbox").setWorkflowId(id).build());
      run.start(
          JSON.readTree(
              "{\"workflowId\": \""
                  + RollbackMocks.MIGRATION
                  + "\", \"requestedBy\": \"carol\", \"carryOver\": true,"
                  + " \"approvals\": {\"approvers\": [\"bob\"]}}"));
      while (run.query("status", io.signalbox.workflows.core.RunbookStatus.class).pendingGate()
          == null) {
        Thread.sleep(50);
      }
      run.signal("approve", new Signals.Approve("rollback", "bob", "ok", null));
      run.getResult(RunbookResult.class);
      Files.writeString(
          dir.resolve("rollback-carry-over-completed.json"), client.fetchHistory(id).toJson(true));
    } finally {
      env.close();
    }
  }
}
