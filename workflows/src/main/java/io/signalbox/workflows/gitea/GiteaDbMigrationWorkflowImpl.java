package io.signalbox.workflows.gitea;

import io.signalbox.workflows.copy.CheckTargetInput;
import io.signalbox.workflows.copy.CheckTargetResult;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.CopyEstimate;
import io.signalbox.workflows.copy.DescribeInput;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.PostgresCopyInput;
import io.signalbox.workflows.copy.PostgresCopyWorkflow;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeClusterHealth;
import io.signalbox.workflows.core.KubernetesActivities.KubeDeploymentStatus;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.signalbox.workflows.core.StepOptions;
import io.signalbox.workflows.migration.AppSteps;
import io.signalbox.workflows.migration.FreezeSteps;
import io.signalbox.workflows.migration.HealthSteps;
import io.signalbox.workflows.migration.MigrationStubs;
import io.signalbox.workflows.migration.SwitchFacts;
import io.signalbox.workflows.migration.SwitchSteps;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
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

  private final MigrationStubs stubs = MigrationStubs.create();
  private final PostgresActivities postgres = stubs.postgres();
  private final KubernetesActivities kube = stubs.kube();
  private final CommandActivities commands = stubs.commands();
  private final HealthCheckActivities health = stubs.health();
  private final CopyActivities copy =
      Workflow.newActivityStub(CopyActivities.class, StepOptions.of(Duration.ofHours(12), 5));

  /**
   * Change id (STYLE.md 13, kept forever): from version 1 a cancel during the safety backup waits
   * until the dump activity has stopped (its pg_dump killed) before the run ends.
   */
  static final String WAIT_FOR_CANCELLED_DUMP = "safety-backup-wait-cancellation";

  /** The safety backup's dump: waits for a cancel to complete (see {@link #migrate}). */
  private CopyActivities safetyDump;

  private final SwitchSteps switchSteps = new SwitchSteps(kube, commands);
  private final FreezeSteps freezeSteps = new FreezeSteps(postgres, kube);
  private final AppSteps appSteps = new AppSteps(kube);
  private final HealthSteps healthSteps = new HealthSteps(health);

  /**
   * What this run switched, for a later {@code Rollback}: recorded in the result (no commands of
   * its own, so no version change) each time a change lands.
   */
  private SwitchFacts.Builder facts;

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
                ActivityOptions.newBuilder(StepOptions.of(Duration.ofHours(12), 5))
                    .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                    .build())
            : copy;

    // ---- preflight: read-only, stops the run before anything changes
    Preflight pre = runbook.step("preflight", () -> preflight(in));
    facts = SwitchFacts.newBuilder(in.source(), in.target());
    if (in.healthCheck() != null) {
      facts.healthCheck(
          new SwitchFacts.HealthCheck(
              in.healthCheck().url(), in.healthCheck().timeout(), in.healthCheck().interval()));
    }

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
              "switch: " + SwitchSteps.summary(in.switchTo()),
              app != null ? "scale the app back to " + pre.app.replicas() : "no app to start",
              in.healthCheck() != null
                  ? "health check " + in.healthCheck().url()
                  : "no health check"));
      runbook.plan(report);
    }

    // ---- safety backup: a kept dump of the source, read-only for the source
    CopyActivities.DumpResult backup = null;
    long backupStart = Workflow.currentTimeMillis();
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

    // The safety backup is the copy's dump on this worker: its time is the rate to go by.
    CopyEstimate expected =
        backup == null
            ? null
            : CopyEstimate.fromDump(
                pre.source.sizeBytes(),
                pre.source.sizeBytes(),
                Workflow.currentTimeMillis() - backupStart,
                "the safety backup's dump");
    Map<String, Object> freezeReport = gateReport(in, pre, backup);
    freezeReport.put(
        "expectedCopy",
        expected != null
            ? expected.report()
            : Map.of(
                "text",
                "expected copy time unknown: no safety backup ran on this worker to measure its"
                    + " rate"));

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
            + (expected != null
                ? " (expected to take about "
                    + CopyEstimate.duration(expected.expectedSeconds())
                    + ")"
                : "")
            + "?",
        freezeReport);

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
      appSteps.start(runbook, workload(app, pre), 0, w -> recordFacts(facts.app(w)));
    }

    // ---- health check
    if (in.healthCheck() != null) {
      healthSteps.check(
          runbook,
          new SwitchFacts.HealthCheck(
              in.healthCheck().url(), in.healthCheck().timeout(), in.healthCheck().interval()));
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
      freezeSteps.scaleDown(runbook, workload(app, pre), f -> recordFacts(facts.freeze(f)));
    } else {
      freezeSteps.readOnly(runbook, in.source(), f -> recordFacts(facts.freeze(f)));
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
    switchSteps.apply(runbook, in.switchTo(), facts);
  }

  private void recordFacts(SwitchFacts.Builder builder) {
    runbook.switched(builder.build());
  }

  private static SwitchFacts.Workload workload(GiteaDbMigrationInput.App app, Preflight pre) {
    return new SwitchFacts.Workload(
        app.kindOrDefault(), app.namespace(), app.deployment(), pre.app.replicas(), app.timeout());
  }

  // ------------------------------------------------------------------ helpers

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
    report.put("switch", SwitchSteps.summary(in.switchTo()));
    return report;
  }
}
