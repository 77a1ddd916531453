package io.signalbox.workflows.migration;

import io.signalbox.workflows.copy.FreezeInput;
import io.signalbox.workflows.copy.FreezeResult;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.UnfreezeInput;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleResult;
import io.signalbox.workflows.core.Runbook;
import io.temporal.workflow.Workflow;
import java.util.function.Consumer;

/**
 * The step {@code freeze-writes} that stops writes to the old database, in either of its two ways,
 * each with its undo registered before it runs: scale the app that writes to 0 (undo: scale it back
 * to the replicas it had), or make the database read-only and end its other sessions (undo: lift
 * this run's freeze). {@code GiteaDbMigration} and {@code StateHubCutover} freeze with it; what was
 * frozen goes to the caller as {@link SwitchFacts.Freeze}, the shape {@code Rollback} reads.
 * Workflow code: activities only through the stubs given.
 */
public final class FreezeSteps {

  private final PostgresActivities postgres;
  private final KubernetesActivities kube;

  /**
   * @param postgres the run's PostgreSQL activity stub
   * @param kube the run's Kubernetes activity stub
   */
  public FreezeSteps(PostgresActivities postgres, KubernetesActivities kube) {
    this.postgres = postgres;
    this.kube = kube;
  }

  /**
   * Scales {@code app} to 0. Undo: back to {@link SwitchFacts.Workload#replicas()} (known before
   * the step, so even a scale that failed half-way is undone), still on the old database.
   *
   * @param recorded told what was frozen once the scale succeeded
   */
  public KubeScaleResult scaleDown(
      Runbook<?> runbook, SwitchFacts.Workload app, Consumer<SwitchFacts.Freeze> recorded) {
    String down = Workflow.randomUUID().toString();
    return runbook.change(
        "freeze-writes",
        () -> kube.scale(app.scale(app.replicas(), Workflow.randomUUID().toString())),
        () -> {
          KubeScaleResult r = kube.scale(app.scale(0, down));
          recorded.accept(new SwitchFacts.Freeze(SwitchFacts.FREEZE_APP, down, null, app));
          runbook.detail("scaled " + app.describe() + " from " + r.previousReplicas() + " to 0");
          return r;
        });
  }

  /**
   * Makes {@code database} read-only for new transactions and ends its other sessions. Undo: lifts
   * this run's freeze (one made by somebody else is left in place).
   *
   * @param recorded told what was frozen once the freeze succeeded
   */
  public FreezeResult readOnly(
      Runbook<?> runbook, Endpoint database, Consumer<SwitchFacts.Freeze> recorded) {
    String requestId = Workflow.randomUUID().toString();
    return runbook.change(
        "freeze-writes",
        () -> postgres.unfreeze(new UnfreezeInput(database, requestId, false)),
        () -> {
          FreezeResult r = postgres.freeze(new FreezeInput(database, requestId));
          recorded.accept(
              new SwitchFacts.Freeze(
                  SwitchFacts.FREEZE_READ_ONLY, requestId, r.alreadyFrozen(), null));
          runbook.detail(
              database.database()
                  + " read-only, "
                  + r.sessionsTerminated()
                  + " sessions ended"
                  + (r.alreadyFrozen() ? " (it was already frozen)" : ""));
          return r;
        });
  }
}
