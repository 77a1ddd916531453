package io.signalbox.workflows.migration;

import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchResult;
import io.temporal.workflow.Workflow;
import java.util.List;
import java.util.function.Consumer;

/**
 * The pieces of repointing an app that both directions share: {@code GiteaDbMigration} switches the
 * app to the new database with them and {@code Rollback} switches it back. Workflow code:
 * activities only through the stubs given.
 */
public final class SwitchSteps {

  private final KubernetesActivities kube;
  private final CommandActivities commands;

  /**
   * @param kube the run's Kubernetes activity stub
   * @param commands the run's command activity stub
   */
  public SwitchSteps(KubernetesActivities kube, CommandActivities commands) {
    this.kube = kube;
    this.commands = commands;
  }

  /**
   * Undoes a merge patch: with its result, the exact undo; without one (the patch failed), a
   * Secret's backup if it was written. Tolerates a patch that never happened.
   */
  public void undoPatch(KubePatchInput patch, KubePatchResult result) {
    String undoId = Workflow.randomUUID().toString();
    if (result != null) {
      kube.mergePatch(patch.undo(result, undoId));
    } else if (patch.targetsSecret()) {
      // The patch failed without a result: its backup (if it was written) still says what to
      // restore.
      kube.mergePatch(
          new KubePatchInput(
              patch.apiVersion(),
              patch.kind(),
              patch.plural(),
              patch.namespace(),
              patch.name(),
              null,
              KubePatchInput.backupName(patch.name(), patch.requestId()),
              undoId));
    }
  }

  /**
   * Runs a command of the input and fails the step with {@code StepFailed} (the stderr tail in the
   * message) when it does not succeed.
   *
   * @param detail where to say that it succeeded (the step's detail)
   */
  public CommandActivities.CommandOutput runCommand(
      List<String> argv, String timeout, String workingDir, Consumer<String> detail) {
    CommandActivities.CommandOutput out =
        commands.run(
            new CommandActivities.CommandInput(argv, timeout, null, null, workingDir, null));
    if (!out.succeeded()) {
      throw FailureType.STEP_FAILED.failure(
          argv.get(0)
              + (out.timedOut() ? " timed out" : " exited with " + out.exitCode())
              + ": "
              + tail(out.stderrTail()));
    }
    detail.accept(argv.get(0) + " succeeded in " + out.durationMillis() + " ms");
    return out;
  }

  /** The last 500 characters of a command's output. */
  public static String tail(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    return t.length() > 500 ? "…" + t.substring(t.length() - 500) : t;
  }
}
