package io.signalbox.workflows.migration;

import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.Runbook;

/**
 * The step {@code health-check}: waits until the app answers 2xx on its new database. Shared by
 * {@code GiteaDbMigration} and {@code StateHubCutover}. Workflow code: activities only through the
 * stub given.
 */
public final class HealthSteps {

  private final HealthCheckActivities health;

  /**
   * @param health the run's health check activity stub
   */
  public HealthSteps(HealthCheckActivities health) {
    this.health = health;
  }

  /** Waits for {@code check}'s URL to answer 2xx within its timeout; fails the step otherwise. */
  public HealthCheckActivities.HealthCheckResult check(
      Runbook<?> runbook, SwitchFacts.HealthCheck check) {
    return runbook.step(
        "health-check",
        () -> {
          HealthCheckActivities.HealthCheckResult h =
              health.waitHealthy(
                  new HealthCheckActivities.HealthCheckInput(
                      check.url(), check.timeout(), check.interval()));
          runbook.detail("healthy after " + h.attempts() + " attempts");
          return h;
        });
  }
}
