package io.signalbox.workflows.rollback;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Replays a recorded Rollback history (carry-over, approved, completed) against today's code: a
 * change that would break runs in flight fails here. Recorded by {@link RecordRollbackHistory}.
 */
class RollbackReplayTest {

  @Test
  void aCompletedRollbackWithCarryOverReplays() throws Exception {
    String json;
    try (var in =
        RollbackReplayTest.class.getResourceAsStream(
            "/histories/rollback-carry-over-completed.json")) {
      json = new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(json)
        .contains("RollbackEvidenceFindRun")
        .contains("CarryOverCompare")
        .contains("CarryOverCarryOver")
        .contains("KubernetesMergePatch")
        .contains("RollbackEvidenceMarkRolledBack");
    WorkflowReplayer.replayWorkflowExecution(
        // The run checks its own workflow id (rollback-<workflowId>): replay under the recorded
        // one.
        WorkflowExecutionHistory.fromJson(json, RollbackInput.id(RollbackMocks.MIGRATION)),
        RollbackWorkflowImpl.class);
  }
}
