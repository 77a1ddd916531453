package io.signalbox.workflows.migration;

import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchResult;
import io.signalbox.workflows.core.Runbook;
import io.signalbox.workflows.gitea.GiteaDbMigrationInput;
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

  /**
   * The step {@code switch:Kind/namespace/name}: applies one merge patch, its undo registered
   * before it runs ({@link #undoPatch}).
   *
   * @param recorded told the applied patch's facts once it landed
   */
  public KubePatchResult patch(
      Runbook<?> runbook, KubePatchInput patch, Consumer<SwitchFacts.AppliedPatch> recorded) {
    KubePatchResult[] done = new KubePatchResult[1];
    return runbook.change(
        "switch:" + patch.kind() + "/" + patch.namespace() + "/" + patch.name(),
        () -> undoPatch(patch, done[0]),
        () -> {
          done[0] = kube.mergePatch(patch);
          recorded.accept(SwitchFacts.AppliedPatch.of(patch, done[0]));
          runbook.detail(
              (done[0].changed() ? "patched " : "already patched ")
                  + String.join(", ", done[0].touchedPaths()));
          return done[0];
        });
  }

  /**
   * The step {@code switch:command}: runs the switch command, its {@code rollbackArgv} (when given)
   * registered as the undo before it runs.
   *
   * @param recorded told the command once it succeeded
   */
  public CommandActivities.CommandOutput command(
      Runbook<?> runbook,
      SwitchFacts.SwitchCommand c,
      Consumer<SwitchFacts.SwitchCommand> recorded) {
    return runbook.change(
        "switch:command",
        c.rollbackArgv() == null
            ? null
            : () -> runCommand(c.rollbackArgv(), c.timeout(), c.workingDir(), runbook::detail),
        () -> {
          CommandActivities.CommandOutput out =
              runCommand(c.argv(), c.timeout(), c.workingDir(), runbook::detail);
          recorded.accept(c);
          return out;
        });
  }

  /** One line on what a {@code switch} repoints, for gate reports and plans; "none" without one. */
  public static String summary(GiteaDbMigrationInput.Switch sw) {
    if (sw == null) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    if (sw.patches() != null) {
      sw.patches()
          .forEach(
              p ->
                  s.append("patch ")
                      .append(p.kind())
                      .append(' ')
                      .append(p.namespace())
                      .append('/')
                      .append(p.name())
                      .append("; "));
    }
    if (sw.command() != null) {
      s.append("run ").append(String.join(" ", sw.command().argv()));
    }
    return s.toString().trim();
  }

  /**
   * A runbook's {@code switch}: each merge patch, then the command, each a step with its undo
   * registered before it runs, and what was switched recorded in the run's result as it lands (so a
   * later {@code Rollback} can undo it).
   *
   * @param facts the run's switch facts, extended and recorded after each change
   */
  public void apply(
      Runbook<?> runbook, GiteaDbMigrationInput.Switch sw, SwitchFacts.Builder facts) {
    if (sw == null) {
      return;
    }
    if (sw.patches() != null) {
      for (GiteaDbMigrationInput.Patch p : sw.patches()) {
        KubePatchInput patch =
            new KubePatchInput(
                p.apiVersion(),
                p.kind(),
                p.plural(),
                p.namespace(),
                p.name(),
                p.mergePatch(),
                null,
                Workflow.randomUUID().toString());
        patch(runbook, patch, applied -> runbook.switched(facts.patch(applied).build()));
      }
    }
    if (sw.command() != null) {
      GiteaDbMigrationInput.Command c = sw.command();
      command(
          runbook,
          new SwitchFacts.SwitchCommand(c.argv(), c.rollbackArgv(), c.timeout(), c.workingDir()),
          command -> runbook.switched(facts.command(command).build()));
    }
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
