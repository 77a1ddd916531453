package io.signalbox.worker.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.copy.CopyProgress;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflow.v1.PendingChildExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The progress of a run's running copy steps, read where Temporal keeps it: the newest heartbeat of
 * each pending activity ({@code DescribeWorkflowExecution}), in this run and in its running
 * children (a migration's {@code PostgresCopy}, and so on down), so {@code status} of a parent
 * shows its child's copy too. Nothing is asked of the worker.
 */
final class RunProgress {
  /** Children of children: a cutover's BackupVerification or copy, at most this deep. */
  private static final int MAX_DEPTH = 3;

  private static final DataConverter CONVERTER = DefaultDataConverter.newDefaultInstance();
  private static final ObjectMapper MAPPER =
      new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private RunProgress() {}

  /**
   * One running step's progress.
   *
   * @param workflowId the run it belongs to (the given run or one of its children)
   * @param activityType e.g. {@code CopyDump}
   * @param progress its newest heartbeat
   */
  record Step(String workflowId, String activityType, CopyProgress progress) {}

  /** The running copy steps of the run described and of its running children. */
  static List<Step> of(TemporalConnection temporal, DescribeWorkflowExecutionResponse run) {
    List<Step> steps = new ArrayList<>();
    collect(temporal, run, steps, 0);
    return steps;
  }

  private static void collect(
      TemporalConnection temporal,
      DescribeWorkflowExecutionResponse run,
      List<Step> steps,
      int depth) {
    String id = run.getWorkflowExecutionInfo().getExecution().getWorkflowId();
    for (PendingActivityInfo activity : run.getPendingActivitiesList()) {
      CopyProgress p = progress(activity);
      if (p != null) {
        steps.add(new Step(id, activity.getActivityType().getName(), p));
      }
    }
    if (depth >= MAX_DEPTH) {
      return;
    }
    for (PendingChildExecutionInfo child : run.getPendingChildrenList()) {
      try {
        collect(temporal, describe(temporal, child), steps, depth + 1);
      } catch (RuntimeException e) {
        // A child that just ended or cannot be read: the parent's own view still stands.
      }
    }
  }

  /** The heartbeat details as a {@link CopyProgress}, or null when they are something else. */
  static CopyProgress progress(PendingActivityInfo activity) {
    if (!activity.hasHeartbeatDetails() || activity.getHeartbeatDetails().getPayloadsCount() == 0) {
      return null;
    }
    try {
      JsonNode details =
          CONVERTER.fromPayloads(
              0, Optional.of(activity.getHeartbeatDetails()), JsonNode.class, JsonNode.class);
      if (details == null || !details.has("phase") || !details.has("bytesDone")) {
        return null;
      }
      return MAPPER.treeToValue(details, CopyProgress.class);
    } catch (Exception e) {
      return null; // another activity's heartbeat: not a copy step
    }
  }

  private static DescribeWorkflowExecutionResponse describe(
      TemporalConnection temporal, PendingChildExecutionInfo child) {
    return temporal
        .stubs()
        .blockingStub()
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(temporal.namespace())
                .setExecution(
                    WorkflowExecution.newBuilder()
                        .setWorkflowId(child.getWorkflowId())
                        .setRunId(child.getRunId()))
                .build());
  }
}
