package io.signalbox.workflows.core;

import io.temporal.activity.ActivityInterface;

/** Waits until an application answers its health endpoint. */
@ActivityInterface(namePrefix = "Health")
public interface HealthCheckActivities {

  /**
   * @param url an http(s) URL answered with 2xx when the application is healthy
   * @param timeout ISO-8601 duration to keep trying (default PT5M)
   * @param interval ISO-8601 duration between attempts (default PT5S)
   */
  record HealthCheckInput(String url, String timeout, String interval) {}

  /**
   * @param healthy whether a 2xx answer came
   * @param attempts how many requests were made
   * @param lastStatus the last HTTP status, 0 when none came
   * @param lastError the last connection error, or null
   * @param elapsedMillis how long it took
   */
  record HealthCheckResult(
      boolean healthy, int attempts, int lastStatus, String lastError, long elapsedMillis) {}

  /**
   * Polls {@code url} until it answers 2xx. Not healthy within the timeout fails with {@code
   * HealthCheckFailed} (non-retryable: the runbook then rolls back).
   */
  HealthCheckResult waitHealthy(HealthCheckInput input);
}
