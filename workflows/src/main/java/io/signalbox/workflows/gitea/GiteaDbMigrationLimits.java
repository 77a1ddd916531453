package io.signalbox.workflows.gitea;

import io.signalbox.workflows.core.StepOptions;
import java.time.Duration;

/**
 * The time limits GiteaDbMigration's activities run under, in one place: the workflow's activity
 * options and the check of the input's own timeouts ({@link GiteaDbMigrationInput#problems()}) must
 * agree, or a timeout the input allows is cut off by the activity hours later.
 */
public final class GiteaDbMigrationLimits {
  private GiteaDbMigrationLimits() {}

  /** Start-to-close of the PostgreSQL activities (preflight, freeze, inventory). */
  public static final Duration POSTGRES_START_TO_CLOSE = Duration.ofMinutes(5);

  /** Start-to-close of the Kubernetes activities: a scale waits for its pods within this. */
  public static final Duration KUBERNETES_START_TO_CLOSE = Duration.ofMinutes(20);

  /** Start-to-close of the switch command. */
  public static final Duration COMMAND_START_TO_CLOSE = Duration.ofHours(1);

  /** Start-to-close of the health check. */
  public static final Duration HEALTH_CHECK_START_TO_CLOSE = Duration.ofMinutes(40);

  /** Start-to-close of a dump or restore. */
  public static final Duration COPY_START_TO_CLOSE = Duration.ofHours(12);

  /** Heartbeat timeout of every activity: a dead worker's step restarts within it. */
  public static final Duration HEARTBEAT_TIMEOUT = StepOptions.HEARTBEAT_TIMEOUT;

  /** How long one health request may take (the health check activity's own request timeout). */
  public static final Duration HEALTH_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Room an activity needs beside the wait the input sets: API calls, starting a process. */
  public static final Duration MARGIN = Duration.ofMinutes(1);

  /** The longest {@code app.timeout}: a scale's wait for its pods. */
  public static final Duration MAX_APP_TIMEOUT = KUBERNETES_START_TO_CLOSE.minus(MARGIN);

  /** The longest {@code switch.command.timeout}. */
  public static final Duration MAX_COMMAND_TIMEOUT = COMMAND_START_TO_CLOSE.minus(MARGIN);

  /** The longest {@code healthCheck.timeout}. */
  public static final Duration MAX_HEALTH_TIMEOUT = HEALTH_CHECK_START_TO_CLOSE.minus(MARGIN);

  /**
   * The longest {@code healthCheck.interval}: the check heartbeats once per attempt, so a pause
   * plus one request must fit in the heartbeat timeout.
   */
  public static final Duration MAX_HEALTH_INTERVAL =
      HEARTBEAT_TIMEOUT.minus(HEALTH_REQUEST_TIMEOUT);

  /** Defaults of the activities when the input leaves a value out. */
  public static final Duration DEFAULT_APP_TIMEOUT = Duration.ofMinutes(5);

  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_HEALTH_INTERVAL = Duration.ofSeconds(5);
}
