package io.signalbox.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.demo.DemoRunbookWorkflowImpl;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/**
 * Replays recorded histories against today's workflow code: a change that would break runs already
 * in flight fails here (STYLE.md 13). Histories are recorded by {@link RecordHistories}.
 */
class ReplayTest {

  private static WorkflowExecutionHistory history(String name) throws Exception {
    try (var in = ReplayTest.class.getResourceAsStream("/histories/" + name)) {
      String json =
          new String(Objects.requireNonNull(in, name).readAllBytes(), StandardCharsets.UTF_8);
      return WorkflowExecutionHistory.fromJson(json);
    }
  }

  @Test
  void demoRunbookReplays() throws Exception {
    WorkflowExecutionHistory history = history("demo-runbook-approved.json");
    assertThat(history.getEvents()).hasSizeGreaterThan(10);
    WorkflowReplayer.replayWorkflowExecution(history, DemoRunbookWorkflowImpl.class);
  }

  @Test
  void postgresCopyReplays() throws Exception {
    WorkflowReplayer.replayWorkflowExecution(
        history("postgres-copy-completed.json"), PostgresCopyWorkflowImpl.class);
  }

  @Test
  void postgresCopyRedoneAfterALostDumpHostReplays() throws Exception {
    WorkflowExecutionHistory history = history("postgres-copy-redo.json");
    // The history holds what it is meant to: restore timed out waiting on the lost host's queue.
    assertThat(history.getEvents())
        .anySatisfy(
            e ->
                assertThat(
                        e.getActivityTaskTimedOutEventAttributes()
                            .getFailure()
                            .getTimeoutFailureInfo()
                            .getTimeoutType())
                    .isEqualTo(
                        io.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START));
    WorkflowReplayer.replayWorkflowExecution(history, PostgresCopyWorkflowImpl.class);
  }

  @Test
  void replayCatchesAWorkflowThatChangedItsSteps() throws Exception {
    // The demo history replayed against a different workflow must fail: proof the check bites.
    WorkflowExecutionHistory history = history("demo-runbook-approved.json");
    assertThatThrownBy(() -> WorkflowReplayer.replayWorkflowExecution(history, ReorderedDemo.class))
        .hasMessageContaining("NonDeterministicException");
  }

  /** The demo runbook with its first two steps swapped: not replay-compatible. */
  public static class ReorderedDemo extends DemoRunbookWorkflowImpl {
    @Override
    public io.signalbox.workflows.core.RunbookResult run(
        com.fasterxml.jackson.databind.JsonNode input) {
      io.temporal.workflow.Workflow.sleep(java.time.Duration.ofSeconds(1));
      return super.run(input);
    }
  }
}
