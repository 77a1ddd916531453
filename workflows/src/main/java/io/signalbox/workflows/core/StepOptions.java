package io.signalbox.workflows.core;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * The activity options every runbook runs its steps with, in one place: one retry policy (backoff
 * from two seconds to a minute, never repeating a permanent failure), one heartbeat timeout, and
 * the short and long step options of the copy runbooks (PostgresCopy, BackupVerification). A
 * runbook that needs other options builds them from these.
 */
public final class StepOptions {

  private StepOptions() {}

  /** Heartbeat timeout of every heartbeating activity: a dead worker's step restarts within it. */
  public static final Duration HEARTBEAT_TIMEOUT = Duration.ofMinutes(1);

  /** Short calls (describe, checks, scratch create/drop, sequences): five minutes, ten attempts. */
  public static final ActivityOptions QUICK =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(5))
          .setRetryOptions(retry(10))
          .build();

  /**
   * Dump, restore, verify, amcheck: hours at most, with a heartbeat timeout of a minute so a dead
   * worker's step restarts quickly (DESIGN.md, "Safety rules").
   */
  public static final ActivityOptions LONG = of(Duration.ofHours(12), 5);

  /** Retries with backoff that never repeat a permanent failure, at most {@code attempts}. */
  public static RetryOptions retry(int attempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(2))
        .setBackoffCoefficient(2)
        .setMaximumInterval(Duration.ofMinutes(1))
        .setMaximumAttempts(attempts)
        .setDoNotRetry(FailureType.nonRetryableTypes())
        .build();
  }

  /**
   * A step's options: its start-to-close timeout, the one-minute heartbeat timeout, and {@link
   * #retry} with {@code attempts}.
   */
  public static ActivityOptions of(Duration startToClose, int attempts) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
        .setRetryOptions(retry(attempts))
        .build();
  }
}
