package io.signalbox.workflows.gitea;

import io.signalbox.workflows.copy.CheckTargetInput;
import io.signalbox.workflows.copy.CheckTargetResult;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.DescribeInput;
import io.signalbox.workflows.copy.FreezeInput;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.PostgresCopyInput;
import io.signalbox.workflows.copy.PostgresCopyWorkflow;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.copy.UnfreezeInput;
import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeClusterHealth;
import io.signalbox.workflows.core.KubernetesActivities.KubeDeploymentStatus;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchResult;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleInput;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleResult;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** See {@link GiteaDbMigrationWorkflow} and {@code runbooks/gitea-db-migration/README.md}. */
public class GiteaDbMigrationWorkflowImpl extends RunbookWorkflow<GiteaDbMigrationInput>
    implements GiteaDbMigrationWorkflow {

  public GiteaDbMigrationWorkflowImpl() {
    super(TYPE, GiteaDbMigrationInput.class);
  }

  private static RetryOptions retry(int attempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(2))
        .setMaximumInterval(Duration.ofMinutes(1))
        .setMaximumAttempts(attempts)
        .setDoNotRetry(FailureType.nonRetryableTypes())
        .build();
  }

  private static ActivityOptions options(Duration startToClose, int attempts) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setHeartbeatTimeout(Duration.ofMinutes(1))
        .setRetryOptions(retry(attempts))
        .build();
  }

  private final PostgresActivities postgres =
      Workflow.newActivityStub(PostgresActivities.class, options(Duration.ofMinutes(5), 10));
  // Scale waits are bounded by the input's timeout (default PT5M), below this start-to-close.
  private final KubernetesActivities kube =
      Workflow.newActivityStub(KubernetesActivities.class, options(Duration.ofMinutes(20), 5));
  private final CommandActivities commands =
      Workflow.newActivityStub(CommandActivities.class, options(Duration.ofHours(1), 1));
  private final HealthCheckActivities health =
      Workflow.newActivityStub(HealthCheckActivities.class, options(Duration.ofMinutes(40), 3));
  private final CopyActivities copy =
      Workflow.newActivityStub(CopyActivities.class, options(Duration.ofHours(12), 5));

  /**
   * Change id (STYLE.md 13, kept forever): from version 1 a cancel during the safety backup waits
   * until the dump activity has stopped (its pg_dump killed) before the run ends.
   */
  static final String WAIT_FOR_CANCELLED_DUMP = "safety-backup-wait-cancellation";

  /** The safety backup's dump: waits for a cancel to complete (see {@link #migrate}). */
  private CopyActivities safetyDump;

  @Override
  public RunbookResult run(com.fasterxml.jackson.databind.JsonNode input) {
    return runbook.execute(input, this::migrate);
  }

  private void migrate(GiteaDbMigrationInput in) {
    String workflowId = Workflow.getInfo().getWorkflowId();
    GiteaDbMigrationInput.App app = in.app();
    copyOptions(in).hostTimeoutOrDefault(); // InvalidInput before anything runs, not in the copy
    safetyDump =
        Workflow.getVersion(WAIT_FOR_CANCELLED_DUMP, Workflow.DEFAULT_VERSION, 1) >= 1
            ? Workflow.newActivityStub(
                CopyActivities.class,
                ActivityOptions.newBuilder(options(Duration.ofHours(12), 5))
                    .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                    .build())
            : copy;

    // ---- preflight: read-only, stops the run before anything changes
    Preflight pre = runbook.step("preflight", () -> preflight(in));

    // ---- dry run: the copy's own plan, nothing else
    if (runbook.dryRun()) {
      RunbookResult plan = runbook.step("copy-plan", () -> copyChild(in, workflowId, true));
      Map<String, Object> report = gateReport(in, pre, null);
      report.put("copy", plan.plan());
      report.put(
          "steps",
          List.of(
              "safety backup of " + pre.source.endpoint(),
              "gate freeze",
              app != null
                  ? "scale " + app.namespace() + "/" + app.deployment() + " to 0"
                  : "make " + in.source().database() + " read-only and end its sessions",
              "copy and verify into " + in.target().describe(),
              "gate switch",
              "switch: " + switchSummary(in),
              app != null ? "scale the app back to " + pre.app.replicas() : "no app to start",
              in.healthCheck() != null
                  ? "health check " + in.healthCheck().url()
                  : "no health check"));
      runbook.plan(report);
    }

    // ---- safety backup: a kept dump of the source, read-only for the source
    CopyActivities.DumpResult backup = null;
    if (in.safetyBackupOrDefault()) {
      backup =
          runbook.change(
              "safety-backup",
              null,
              () -> {
                PostgresCopyInput.CopyOptions o = copyOptions(in);
                CopyActivities.DumpResult d =
                    safetyDump.dump(
                        new CopyActivities.DumpRequest(
                            in.source(),
                            workflowId + "-safety",
                            o.jobs(),
                            o.dumpDir(),
                            true, // every dump carries content checksums (DESIGN.md)
                            o.compression(),
                            Workflow.getInfo().getRunId()));
                runbook.detail("kept at " + d.dumpPath() + " (" + d.dumpBytes() + " bytes)");
                return d;
              });
    }

    // ---- gate freeze
    runbook.gate(
        "freeze",
        "Freeze writes to "
            + pre.source.endpoint()
            + (app != null
                ? " by scaling " + app.namespace() + "/" + app.deployment() + " to 0"
                : "")
            + " and copy it to "
            + in.target().describe()
            + "?",
        gateReport(in, pre, backup));

    // ---- freeze
    freeze(in, pre);

    // ---- copy: PostgresCopy as a child workflow, so it shows as its own run in the UI
    RunbookResult copied = runbook.change("copy", null, () -> copyChild(in, workflowId, false));

    // ---- gate switch: approvers see the verification report
    runbook.gate(
        "switch",
        "The copy verified. Switch "
            + (app != null ? app.namespace() + "/" + app.deployment() : "clients")
            + " to "
            + in.target().describe()
            + "?",
        copied == null ? null : copied.verification()); // null in a dry run: the gate is skipped

    // ---- switch
    switchApp(in);

    // ---- start the app on the target
    if (app != null) {
      String up = Workflow.randomUUID().toString();
      runbook.change(
          "start-app",
          () -> kube.scale(scaleInput(app, 0, Workflow.randomUUID().toString())),
          () -> {
            KubeScaleResult r = kube.scale(scaleInput(app, pre.app.replicas(), up));
            runbook.detail(r.readyReplicas() + " of " + r.replicas() + " ready");
            return r;
          });
    }

    // ---- health check
    if (in.healthCheck() != null) {
      runbook.step(
          "health-check",
          () -> {
            HealthCheckActivities.HealthCheckResult h =
                health.waitHealthy(
                    new HealthCheckActivities.HealthCheckInput(
                        in.healthCheck().url(),
                        in.healthCheck().timeout(),
                        in.healthCheck().interval()));
            runbook.detail("healthy after " + h.attempts() + " attempts");
            return h;
          });
    }
  }

  // ------------------------------------------------------------------ steps

  private record Preflight(
      ServerDescription source,
      CheckTargetResult target,
      KubeClusterHealth cluster,
      KubeDeploymentStatus app) {}

  private Preflight preflight(GiteaDbMigrationInput in) {
    ServerDescription source = postgres.describe(new DescribeInput(in.source()));
    CheckTargetResult target =
        postgres.checkTarget(new CheckTargetInput(in.target(), source.extensionNames()));
    CopyActivities.ToolsReport tools =
        copy.checkTools(
            new CopyActivities.CheckToolsRequest(
                List.of(
                    new CopyActivities.ServerVersion(source.endpoint(), source.versionNum()),
                    new CopyActivities.ServerVersion(
                        target.target().endpoint(), target.target().versionNum()))));
    KubeClusterHealth cluster = null;
    if (in.targetCluster() != null) {
      cluster =
          kube.clusterHealth(
              new KubernetesActivities.KubeClusterHealthInput(
                  in.targetCluster().namespace(), in.targetCluster().name()));
      if (!cluster.healthy()) {
        throw FailureType.PRECONDITION_FAILED.failure(
            "Target cluster "
                + cluster.namespace()
                + "/"
                + cluster.name()
                + " is not healthy: "
                + cluster.reason()
                + ". Nothing was changed.");
      }
    }
    KubeDeploymentStatus app = null;
    if (in.app() != null) {
      app =
          kube.deploymentStatus(
              new KubernetesActivities.KubeDeploymentStatusInput(
                  in.app().kindOrDefault(), in.app().namespace(), in.app().deployment()));
      if (app.replicas() == 0) {
        throw FailureType.PRECONDITION_FAILED.failure(
            in.app().namespace()
                + "/"
                + in.app().deployment()
                + " has 0 replicas: it is already stopped, so the runbook cannot tell how many to"
                + " start afterwards. Scale it up first. Nothing was changed.");
      }
    }
    runbook.detail(
        "source "
            + source.endpoint()
            + " PostgreSQL "
            + source.version()
            + ", "
            + source.userTableCount()
            + " tables; target empty"
            + (tools != null ? "; pg tools " + tools.version() : "")
            + (cluster != null ? "; cluster " + cluster.phase() : "")
            + (app != null
                ? "; app " + app.readyReplicas() + "/" + app.replicas() + " ready"
                : ""));
    return new Preflight(source, target, cluster, app);
  }

  private void freeze(GiteaDbMigrationInput in, Preflight pre) {
    GiteaDbMigrationInput.App app = in.app();
    if (app != null) {
      String down = Workflow.randomUUID().toString();
      runbook.change(
          "freeze-writes",
          // Undo: the app back at the replicas it had (known from preflight even if the scale
          // failed half-way), still on the old database.
          () -> kube.scale(scaleInput(app, pre.app.replicas(), Workflow.randomUUID().toString())),
          () -> {
            KubeScaleResult r = kube.scale(scaleInput(app, 0, down));
            runbook.detail(
                "scaled "
                    + app.namespace()
                    + "/"
                    + app.deployment()
                    + " from "
                    + r.previousReplicas()
                    + " to 0");
            return r;
          });
    } else {
      String requestId = Workflow.randomUUID().toString();
      runbook.change(
          "freeze-writes",
          () -> postgres.unfreeze(new UnfreezeInput(in.source(), requestId, false)),
          () -> {
            var r = postgres.freeze(new FreezeInput(in.source(), requestId));
            runbook.detail(
                in.source().database()
                    + " read-only, "
                    + r.sessionsTerminated()
                    + " sessions ended"
                    + (r.alreadyFrozen() ? " (it was already frozen)" : ""));
            return r;
          });
    }
  }

  private RunbookResult copyChild(GiteaDbMigrationInput in, String workflowId, boolean dryRun) {
    PostgresCopyInput copyInput =
        new PostgresCopyInput(
            in.requestedBy(),
            dryRun,
            null,
            in.source(),
            in.target(),
            in.copy(),
            in.verify(),
            workflowId);
    PostgresCopyWorkflow child =
        Workflow.newChildWorkflowStub(
            PostgresCopyWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(workflowId + (dryRun ? "-copy-plan" : "-copy"))
                // The SDK's default, stated: a cancelled migration ends only after its copy has
                // ended, and the copy only after its pg_dump / pg_restore have stopped.
                .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
                .build());
    try {
      RunbookResult result = child.run(Json.tree(copyInput));
      if (!dryRun) {
        runbook.verification(result.verification());
        runbook.detail(
            "verified: "
                + result.verification().path("summary").asText()
                + " (child "
                + workflowId
                + "-copy)");
      }
      return result;
    } catch (ChildWorkflowFailure failure) {
      // Carry the child's verification report into this run's result and evidence.
      if (failure.getCause() instanceof ApplicationFailure app && app.getDetails().getSize() > 0) {
        RunbookResult r = app.getDetails().get(RunbookResult.class);
        if (r != null && r.verification() != null) {
          runbook.verification(r.verification());
        }
      }
      throw failure;
    }
  }

  private void switchApp(GiteaDbMigrationInput in) {
    GiteaDbMigrationInput.Switch sw = in.switchTo();
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
        KubePatchResult[] done = new KubePatchResult[1];
        runbook.change(
            "switch:" + p.kind() + "/" + p.namespace() + "/" + p.name(),
            () -> undoPatch(patch, done[0]),
            () -> {
              done[0] = kube.mergePatch(patch);
              runbook.detail(
                  (done[0].changed() ? "patched " : "already patched ")
                      + String.join(", ", done[0].touchedPaths()));
              return done[0];
            });
      }
    }
    if (sw.command() != null) {
      GiteaDbMigrationInput.Command c = sw.command();
      runbook.change(
          "switch:command",
          c.rollbackArgv() == null ? null : () -> runCommand(c.rollbackArgv(), c),
          () -> runCommand(c.argv(), c));
    }
  }

  private void undoPatch(KubePatchInput patch, KubePatchResult result) {
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

  private CommandActivities.CommandOutput runCommand(
      List<String> argv, GiteaDbMigrationInput.Command c) {
    CommandActivities.CommandOutput out =
        commands.run(
            new CommandActivities.CommandInput(
                argv, c.timeout(), null, null, c.workingDir(), null));
    if (!out.succeeded()) {
      throw FailureType.STEP_FAILED.failure(
          argv.get(0)
              + (out.timedOut() ? " timed out" : " exited with " + out.exitCode())
              + ": "
              + tail(out.stderrTail()));
    }
    runbook.detail(argv.get(0) + " succeeded in " + out.durationMillis() + " ms");
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private static KubeScaleInput scaleInput(
      GiteaDbMigrationInput.App app, int replicas, String requestId) {
    return new KubeScaleInput(
        app.kindOrDefault(), app.namespace(), app.deployment(), replicas, app.timeout(), requestId);
  }

  private static PostgresCopyInput.CopyOptions copyOptions(GiteaDbMigrationInput in) {
    return in.copy() == null
        ? new PostgresCopyInput.CopyOptions(null, null, null, null, null)
        : in.copy();
  }

  private static Map<String, Object> gateReport(
      GiteaDbMigrationInput in, Preflight pre, CopyActivities.DumpResult backup) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("source", pre.source.endpoint());
    report.put("sourceVersion", pre.source.version());
    report.put("sourceSizeBytes", pre.source.sizeBytes());
    report.put("sourceTables", pre.source.userTableCount());
    report.put("target", in.target().describe());
    if (pre.cluster != null) {
      report.put(
          "targetCluster",
          pre.cluster.namespace() + "/" + pre.cluster.name() + ": " + pre.cluster.reason());
    }
    if (pre.app != null) {
      report.put(
          "app", pre.app.namespace() + "/" + pre.app.name() + " replicas " + pre.app.replicas());
    }
    if (backup != null) {
      report.put("safetyBackup", backup.dumpPath());
    }
    report.put("switch", switchSummary(in));
    return report;
  }

  private static String switchSummary(GiteaDbMigrationInput in) {
    if (in.switchTo() == null) {
      return "none";
    }
    StringBuilder s = new StringBuilder();
    if (in.switchTo().patches() != null) {
      in.switchTo()
          .patches()
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
    if (in.switchTo().command() != null) {
      s.append("run ").append(String.join(" ", in.switchTo().command().argv()));
    }
    return s.toString().trim();
  }

  private static String tail(String s) {
    if (s == null) {
      return "";
    }
    String t = s.strip();
    return t.length() > 500 ? "…" + t.substring(t.length() - 500) : t;
  }
}
