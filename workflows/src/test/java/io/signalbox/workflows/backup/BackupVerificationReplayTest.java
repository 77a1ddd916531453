package io.signalbox.workflows.backup;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Replays a recorded BackupVerification history (every step of a passing {@code takeNew} run)
 * against today's code: a change that would break runs in flight fails here. Recorded by {@link
 * RecordBackupVerificationHistory}.
 */
class BackupVerificationReplayTest {

  @Test
  void aCompletedTakeNewRunReplays() throws Exception {
    String json;
    try (var in =
        BackupVerificationReplayTest.class.getResourceAsStream(
            "/histories/backup-verification-completed.json")) {
      json = new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
    }
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(json);
    assertThat(json)
        .contains("BackupCreateScratch")
        .contains("CopyRestore")
        .contains("BackupAmcheck")
        .contains("BackupDropScratch")
        .contains("BackupDeleteDump");
    WorkflowReplayer.replayWorkflowExecution(history, BackupVerificationWorkflowImpl.class);
  }
}
