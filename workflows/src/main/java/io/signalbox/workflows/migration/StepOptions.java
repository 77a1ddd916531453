package io.signalbox.workflows.migration;

import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.gitea.GiteaDbMigrationLimits;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * The activity options of the migration runbooks (GiteaDbMigration, StateHubCutover, Rollback): one
 * definition, so the limits their inputs are checked against are the ones their steps run with.
 */
public final class StepOptions {

  private StepOptions() {}

  /**
   * A step's options: its start-to-close timeout, the one-minute heartbeat timeout, and retries
   * with backoff that never repeat a permanent failure.
   */
  public static ActivityOptions of(Duration startToClose, int attempts) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setHeartbeatTimeout(GiteaDbMigrationLimits.HEARTBEAT_TIMEOUT)
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(2))
                .setMaximumInterval(Duration.ofMinutes(1))
                .setMaximumAttempts(attempts)
                .setDoNotRetry(FailureType.nonRetryableTypes())
                .build())
        .build();
  }
}
