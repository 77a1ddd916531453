package io.signalbox.workflows.migration;

import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.StepOptions;
import io.signalbox.workflows.gitea.GiteaDbMigrationLimits;
import io.temporal.workflow.Workflow;

/**
 * The activity stubs the migration runbooks (GiteaDbMigration, StateHubCutover, Rollback) run their
 * shared steps through, with the limits of {@link GiteaDbMigrationLimits}: one definition, so the
 * limits their inputs are checked against are the ones their steps run with, and a rollback undoes
 * a step under the timeouts it was done with. Workflow code: create it in a workflow's constructor.
 *
 * @param postgres freeze, preflight, inventory
 * @param kube scale, patch, status; a scale's wait is bounded by the input's timeout (default
 *     PT5M), below this stub's start-to-close
 * @param commands the switch command, tried once
 * @param health the health check
 */
public record MigrationStubs(
    PostgresActivities postgres,
    KubernetesActivities kube,
    CommandActivities commands,
    HealthCheckActivities health) {

  /** New stubs for the calling workflow. */
  public static MigrationStubs create() {
    return new MigrationStubs(
        Workflow.newActivityStub(
            PostgresActivities.class,
            StepOptions.of(GiteaDbMigrationLimits.POSTGRES_START_TO_CLOSE, 10)),
        Workflow.newActivityStub(
            KubernetesActivities.class,
            StepOptions.of(GiteaDbMigrationLimits.KUBERNETES_START_TO_CLOSE, 5)),
        Workflow.newActivityStub(
            CommandActivities.class,
            StepOptions.of(GiteaDbMigrationLimits.COMMAND_START_TO_CLOSE, 1)),
        Workflow.newActivityStub(
            HealthCheckActivities.class,
            StepOptions.of(GiteaDbMigrationLimits.HEALTH_CHECK_START_TO_CLOSE, 3)));
  }
}
