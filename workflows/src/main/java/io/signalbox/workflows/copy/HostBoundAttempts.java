package io.signalbox.workflows.copy;

import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Activities bound to one worker's host task queue (the worker that holds a dump), tried by the
 * workflow, one scheduled activity per attempt.
 *
 * <p>Why the workflow retries here (STYLE.md rule 8, one retry layer): a host-bound activity has a
 * schedule-to-start timeout so that a host that never comes back is noticed. A Temporal server arms
 * it for every attempt, but the Temporal Java test server behind {@code signalbox dev-server} arms
 * it only for an activity's first attempt, not for the server's retries: a restore whose worker
 * died mid-attempt was retried (after the heartbeat timeout) on the dead host's queue for ever. So
 * host-bound activities run with one attempt ({@link #singleAttempt}) and {@link #call} schedules
 * each next attempt itself, with the backoff and bound of the retry policy it replaces. This
 * replaces the server's retries for these calls only; it adds no layer.
 */
public final class HostBoundAttempts {
  /**
   * The change id (STYLE.md 13, kept forever) under which a workflow moved its host-bound calls to
   * these attempts; each workflow type that does asks {@code Workflow.getVersion} with it.
   */
  public static final String CHANGE_ID = "host-bound-attempts-in-workflow";

  private HostBoundAttempts() {}

  /**
   * {@code options} on {@code hostTaskQueue}, with a schedule-to-start timeout and one attempt:
   * {@link #call} tries again.
   */
  public static ActivityOptions singleAttempt(
      ActivityOptions options, String hostTaskQueue, Duration scheduleToStart) {
    return ActivityOptions.newBuilder(options)
        .setTaskQueue(hostTaskQueue)
        .setScheduleToStartTimeout(scheduleToStart)
        .setRetryOptions(
            RetryOptions.newBuilder(options.getRetryOptions()).setMaximumAttempts(1).build())
        .build();
  }

  /**
   * Calls {@code call} (one activity on a {@link #singleAttempt} stub) up to {@code
   * policy.getMaximumAttempts()} times, sleeping the policy's backoff between attempts. Fails at
   * once on cancellation, a non-retryable {@link ApplicationFailure} (its flag or one of the
   * policy's do-not-retry types) and a schedule-to-start timeout (the host is gone: the caller
   * decides); the last attempt's failure otherwise.
   */
  public static <T> T call(RetryOptions policy, Supplier<T> call) {
    Duration interval = policy.getInitialInterval();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (ActivityFailure failure) {
        if (attempt >= policy.getMaximumAttempts() || !retryable(policy, failure)) {
          throw failure;
        }
      }
      Workflow.sleep(interval);
      Duration next =
          Duration.ofMillis((long) (interval.toMillis() * policy.getBackoffCoefficient()));
      Duration max = policy.getMaximumInterval();
      interval = max != null && next.compareTo(max) > 0 ? max : next;
    }
  }

  private static boolean retryable(RetryOptions policy, ActivityFailure failure) {
    Throwable cause = failure.getCause();
    if (cause instanceof CanceledFailure || scheduleToStartTimedOut(failure)) {
      return false;
    }
    if (cause instanceof ApplicationFailure app) {
      String[] doNotRetry = policy.getDoNotRetry();
      return !app.isNonRetryable()
          && (doNotRetry == null || !Arrays.asList(doNotRetry).contains(app.getType()));
    }
    return true;
  }

  /** Whether the activity was never picked up in time from its queue: its worker is gone. */
  public static boolean scheduleToStartTimedOut(TemporalFailure failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof TimeoutFailure timeout
          && timeout.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) {
        return true;
      }
    }
    return false;
  }
}
