package io.signalbox.workflows.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;

/**
 * The record of one run: what the runbook reports on the way (verification, plan, restore time,
 * what it switched), the {@link RunbookResult} made of it at the end, and the evidence written from
 * that result. Workflow code: evidence only through its activity.
 */
final class EvidenceRecorder {
  // The runbook's logger: where a run's log lines were before this class was split off.
  private static final Logger log = Workflow.getLogger(Runbook.class);

  private final String type;
  private final Notifications notifications;
  private final EvidenceActivities evidence;
  private String startedAt;

  private JsonNode verification;
  private JsonNode plan;
  private Double rtoSeconds;
  private JsonNode switched;

  /**
   * @param type the workflow type
   * @param notifications the run's notifications, told of the result before it is recorded
   */
  EvidenceRecorder(String type, Notifications notifications) {
    this.type = type;
    this.notifications = notifications;
    this.evidence =
        Workflow.newActivityStub(
            EvidenceActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setMaximumInterval(Duration.ofMinutes(1))
                        .setMaximumAttempts(20)
                        .build())
                .build());
  }

  /** The run has started now. */
  void started() {
    startedAt = Runbook.now();
  }

  void verification(Object report) {
    this.verification = Json.tree(report);
  }

  void rtoSeconds(double seconds) {
    this.rtoSeconds = seconds;
  }

  void switched(Object facts) {
    this.switched = Json.tree(facts);
  }

  void plan(Object plan) {
    this.plan = Json.tree(plan);
  }

  /** The run's result as it stands, with what was recorded on the way. */
  RunbookResult result(
      Phase phase,
      List<StepRecord> steps,
      List<ApprovalRecord> approvals,
      FailureType failureType,
      String message,
      boolean dryRun,
      String requestedBy) {
    return new RunbookResult(
        phase.name(),
        type,
        null,
        verification,
        plan,
        steps,
        approvals,
        failureType == null ? null : failureType.type(),
        message,
        dryRun,
        requestedBy,
        rtoSeconds,
        switched);
  }

  /** {@link #record}, in a detached scope: written even while the run's scope is cancelled. */
  RunbookResult recordDetached(RunbookResult result) {
    RunbookResult[] recorded = {result};
    Workflow.newDetachedCancellationScope(() -> recorded[0] = record(result)).run();
    return recorded[0];
  }

  /**
   * Writes the evidence and returns the result with its id. A failure to write evidence is logged
   * and the run keeps its outcome: the result then says so instead of carrying an id.
   */
  RunbookResult record(RunbookResult unsent) {
    RunbookResult result = notifications.finish(unsent);
    try {
      EvidenceActivities.EvidenceRef ref =
          evidence.record(
              new EvidenceActivities.EvidenceInput(
                  Workflow.getInfo().getWorkflowId(),
                  Workflow.getInfo().getRunId(),
                  startedAt,
                  Runbook.now(),
                  result));
      return result.withEvidenceId(ref.evidenceId());
    } catch (ActivityFailure failure) {
      log.error("evidence for {} could not be written: {}", type, Failures.message(failure));
      return result.withNote("(Evidence could not be written: " + Failures.message(failure) + ")");
    }
  }
}
