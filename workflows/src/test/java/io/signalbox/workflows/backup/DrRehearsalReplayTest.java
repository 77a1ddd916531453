package io.signalbox.workflows.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.backup.BackupHistoryActivities.DatabaseHistory;
import io.signalbox.workflows.backup.BackupHistoryActivities.HistoryResult;
import io.signalbox.workflows.backup.BackupHistoryActivities.PastRun;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Replays a recorded DrRehearsal (two databases, one failing, at parallelism 2) against today's
 * code: a change that would break rehearsals in flight fails here. Record it again only when the
 * workflow is meant to change its history (and guard the change with {@code Workflow.getVersion}):
 *
 * <pre>
 * ./mvnw -q -o -pl workflows test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp workflows/target/test-classes:workflows/target/classes:$(cat workflows/target/cp.txt) \
 *   io.signalbox.workflows.backup.DrRehearsalReplayTest workflows/src/test/resources/histories
 * </pre>
 */
class DrRehearsalReplayTest {
  static final String HISTORY = "dr-rehearsal-one-failed.json";

  @Test
  void aRehearsalWithOneFailedDatabaseReplays() throws Exception {
    String json;
    try (var in = DrRehearsalReplayTest.class.getResourceAsStream("/histories/" + HISTORY)) {
      json = new String(Objects.requireNonNull(in, HISTORY).readAllBytes(), StandardCharsets.UTF_8);
    }
    // The recorded run's workflow id: the children's ids are made from it.
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(json, "dr");
    assertThat(history.getEvents()).hasSizeGreaterThan(20);
    WorkflowReplayer.replayWorkflowExecution(history, DrRehearsalWorkflowImpl.class);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args.length > 0 ? args[0] : "workflows/src/test/resources/histories");
    Files.createDirectories(dir);
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      Worker worker = env.newWorker("signalbox");
      worker.registerWorkflowImplementationTypes(
          DrRehearsalWorkflowImpl.class, FakeBackupVerification.class);
      InputActivities inputs = mock(InputActivities.class, withSettings().withoutAnnotations());
      when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
      EvidenceActivities evidence =
          mock(EvidenceActivities.class, withSettings().withoutAnnotations());
      when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("e", null, null));
      BackupHistoryActivities history =
          mock(BackupHistoryActivities.class, withSettings().withoutAnnotations());
      when(history.read(any()))
          .thenReturn(
              new HistoryResult(
                  true,
                  null,
                  List.of(
                      new DatabaseHistory(
                          "gitea@a",
                          "2026-10-01T03:10:00Z",
                          "dr-old-gitea-a",
                          List.of(
                              new PastRun(
                                  "dr-old-gitea-a", "2026-10-01T03:10:00Z", "COMPLETED", 40.0))))));
      worker.registerActivitiesImplementations(inputs, evidence, history);
      FakeBackupVerification.BEHAVIOUR.put(
          "orders@b", new FakeBackupVerification.Behaviour(null, "manifest mismatch"));
      env.start();
      WorkflowClient client = env.getWorkflowClient();
      WorkflowStub stub =
          client.newUntypedWorkflowStub(
              DrRehearsalWorkflow.TYPE,
              WorkflowOptions.newBuilder().setTaskQueue("signalbox").setWorkflowId("dr").build());
      stub.start(
          new ObjectMapper()
              .readTree(
                  "{\"requestedBy\": \"carol\", \"parallelism\": 2, \"databases\": ["
                      + "{\"database\": {\"host\": \"a\", \"database\": \"gitea\", \"user\": \"u\"},"
                      + " \"backup\": {\"takeNew\": true},"
                      + " \"scratch\": {\"host\": \"s\", \"database\": \"postgres\", \"user\": \"u\"}},"
                      + "{\"database\": {\"host\": \"b\", \"database\": \"orders\", \"user\": \"u\"},"
                      + " \"backup\": {\"takeNew\": true},"
                      + " \"scratch\": {\"host\": \"s\", \"database\": \"postgres\", \"user\": \"u\"}}"
                      + "]}"));
      try {
        stub.getResult(RunbookResult.class);
        throw new IllegalStateException("the recorded rehearsal must fail");
      } catch (WorkflowFailedException expected) {
        // one of two failed, as recorded
      }
      Files.writeString(dir.resolve(HISTORY), client.fetchHistory("dr").toJson(true));
    } finally {
      env.close();
    }
  }
}
