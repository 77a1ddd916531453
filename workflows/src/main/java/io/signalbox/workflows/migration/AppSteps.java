package io.signalbox.workflows.migration;

import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleResult;
import io.signalbox.workflows.core.Runbook;
import io.temporal.workflow.Workflow;
import java.util.function.Consumer;

/**
 * The step {@code start-app}: scales the app that now uses the new database up to its replicas and
 * waits for them, with the undo (scale it back down) registered before it runs. Shared by {@code
 * GiteaDbMigration} and {@code StateHubCutover}. Workflow code: activities only through the stub
 * given.
 */
public final class AppSteps {

  private final KubernetesActivities kube;

  /**
   * @param kube the run's Kubernetes activity stub
   */
  public AppSteps(KubernetesActivities kube) {
    this.kube = kube;
  }

  /**
   * Scales {@code app} to {@link SwitchFacts.Workload#replicas()}.
   *
   * @param undoReplicas what the undo scales it back to (0 for an app the run had stopped)
   * @param recorded told the workload once it runs
   */
  public KubeScaleResult start(
      Runbook<?> runbook,
      SwitchFacts.Workload app,
      int undoReplicas,
      Consumer<SwitchFacts.Workload> recorded) {
    String up = Workflow.randomUUID().toString();
    return runbook.change(
        "start-app",
        () -> kube.scale(app.scale(undoReplicas, Workflow.randomUUID().toString())),
        () -> {
          KubeScaleResult r = kube.scale(app.scale(app.replicas(), up));
          runbook.detail(r.readyReplicas() + " of " + r.replicas() + " ready");
          recorded.accept(app);
          return r;
        });
  }
}
