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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  /**
   * GiteaDbMigration histories recorded before its freeze, start-app, switch and health check moved
   * into the shared steps of {@code io.signalbox.workflows.migration} (by the workflow test's
   * mocked runs on that commit): today's code must still replay them command for command.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "gitea-db-migration-completed.json:gitea-db-migration-test",
        "gitea-db-migration-health-check-undone.json:gitea-db-migration-test",
        "gitea-db-migration-read-only-failed.json:plain-copy"
      })
  void giteaDbMigrationRecordedBeforeTheSharedStepsReplays(String fileAndId) throws Exception {
    String[] parts = fileAndId.split(":");
    WorkflowExecutionHistory history;
    try (var in = ReplayTest.class.getResourceAsStream("/histories/" + parts[0])) {
      history =
          WorkflowExecutionHistory.fromJson(
              new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8),
              parts[1]);
    }
    assertThat(history.getEvents()).hasSizeGreaterThan(30);
    WorkflowReplayer.replayWorkflowExecution(
        history, io.signalbox.workflows.gitea.GiteaDbMigrationWorkflowImpl.class);
  }

  @Test
  void stateHubCutoverReplays() throws Exception {
    // Recorded by StateHubCutoverEndToEndTest's cutover (run with -Dsignalbox.recordHistory=FILE):
    // both gates with refused and accepted approvals, two copies, freeze, start, switch, health.
    // The children's ids derive from the run's own: replay under the recorded workflow id.
    WorkflowExecutionHistory history;
    try (var in =
        ReplayTest.class.getResourceAsStream("/histories/state-hub-cutover-completed.json")) {
      history =
          WorkflowExecutionHistory.fromJson(
              new String(Objects.requireNonNull(in).readAllBytes(), StandardCharsets.UTF_8),
              "state-hub-cutover-e2e-6");
    }
    assertThat(history.getEvents()).hasSizeGreaterThan(50);
    WorkflowReplayer.replayWorkflowExecution(
        history, io.signalbox.workflows.statehub.StateHubCutoverWorkflowImpl.class);
  }

  @Test
  void postgresCopyWithAHostRestoreTriedByTheWorkflowReplays() throws Exception {
    WorkflowExecutionHistory history = history("postgres-copy-host-attempts.json");
    // The history holds what it is meant to: two restores scheduled by the workflow on the host's
    // queue, one attempt each, a timer (the backoff) between them.
    assertThat(
            history.getEvents().stream()
                .filter(e -> e.hasActivityTaskScheduledEventAttributes())
                .map(e -> e.getActivityTaskScheduledEventAttributes())
                .filter(a -> a.getActivityType().getName().equals("CopyRestore")))
        .hasSize(2)
        .allSatisfy(
            a -> {
              assertThat(a.getTaskQueue().getName()).isEqualTo("signalbox-host-b");
              assertThat(a.getRetryPolicy().getMaximumAttempts()).isEqualTo(1);
            });
    assertThat(history.getEvents())
        .anySatisfy(e -> assertThat(e.hasTimerStartedEventAttributes()).isTrue());
    WorkflowReplayer.replayWorkflowExecution(history, PostgresCopyWorkflowImpl.class);
  }

  @Test
  void postgresCopyOfFiveThousandTablesWithABoundedReportReplays() throws Exception {
    // Recorded by activities' HistorySizeEndToEndTest: a real copy of 5,000 tables, one changed
    // on the target, whose verify returned the bounded report with its fullReport reference.
    WorkflowExecutionHistory history = history("postgres-copy-5000-tables-bounded-report.json");
    assertThat(history.getLastEvent().hasWorkflowExecutionFailedEventAttributes()).isTrue();
    assertThat(
            history.getEvents().stream()
                .filter(e -> e.hasActivityTaskCompletedEventAttributes())
                .map(
                    e ->
                        e.getActivityTaskCompletedEventAttributes()
                            .getResult()
                            .getPayloads(0)
                            .getData()
                            .toStringUtf8()))
        .anySatisfy(r -> assertThat(r).contains("\"fullReport\"").contains("\"tableCount\":5000"));
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
