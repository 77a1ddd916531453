package io.signalbox.workflows.statehub;

import io.signalbox.workflows.backup.BackupHistoryActivities;
import io.signalbox.workflows.backup.BackupVerificationInput;
import io.signalbox.workflows.backup.BackupVerificationWorkflow;
import io.signalbox.workflows.copy.CheckTargetInput;
import io.signalbox.workflows.copy.CheckTargetResult;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.DescribeInput;
import io.signalbox.workflows.copy.InventoryInput;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.PostgresCopyInput;
import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeDeploymentStatus;
import io.signalbox.workflows.core.Runbook;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.gitea.GiteaDbMigrationInput;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The read-only checks a {@link StateHubCutoverWorkflowImpl} runs before it changes anything: the
 * backup precondition, the preflight of source, target, tools and apps, and how the target's schema
 * decides the load. Workflow code: it runs in the workflow's thread and calls its activity stubs.
 */
final class StateHubCutoverPreflight {

  /** What the preflight read, for the steps after it. */
  record Facts(
      ServerDescription source,
      CheckTargetResult target,
      KubeDeploymentStatus sourceApp,
      KubeDeploymentStatus clusterApp) {}

  private final Runbook<StateHubCutoverInput> runbook;
  private final PostgresActivities postgres;
  private final KubernetesActivities kube;
  private final CopyActivities copy;
  private final BackupHistoryActivities history;

  StateHubCutoverPreflight(
      Runbook<StateHubCutoverInput> runbook,
      PostgresActivities postgres,
      KubernetesActivities kube,
      CopyActivities copy,
      BackupHistoryActivities history) {
    this.runbook = runbook;
    this.postgres = postgres;
    this.kube = kube;
    this.copy = copy;
    this.history = history;
  }

  /**
   * A successful BackupVerification of the source within {@code backupFreshness}, read from the
   * evidence store; otherwise one now (a child), and the run stops if it fails.
   */
  Object backupPrecondition(StateHubCutoverInput in, String workflowId) {
    String name = in.backupNameOrDefault();
    Duration freshness = in.backupFreshnessOrDefault();
    BackupHistoryActivities.HistoryResult h =
        history.read(new BackupHistoryActivities.HistoryRequest(List.of(name), 1));
    String newest = null;
    String newestId = null;
    if (h.available() && h.databases() != null) {
      for (BackupHistoryActivities.DatabaseHistory d : h.databases()) {
        if (name.equals(d.name())) {
          newest = d.newestSuccessAt();
          newestId = d.newestSuccessWorkflowId();
        }
      }
    }
    long now = Workflow.currentTimeMillis();
    if (newest != null && now - Instant.parse(newest).toEpochMilli() <= freshness.toMillis()) {
      runbook.detail(
          "newest successful verification of " + name + ": " + newest + " (" + newestId + ")");
      return newest;
    }
    String why =
        newest == null
            ? (h.available() ? "no successful BackupVerification of " + name : h.note())
            : "the newest successful BackupVerification of " + name + " is from " + newest;
    if (in.backupScratch() == null) {
      throw FailureType.PRECONDITION_FAILED.failure(
          why
              + ", older than backupFreshness "
              + freshness
              + " or none. Give backupScratch (a server for a scratch restore) so the runbook"
              + " runs one, or run BackupVerification first.");
    }
    runbook.detail(why + ": running a BackupVerification now");
    BackupVerificationInput verifyInput =
        new BackupVerificationInput(
            in.requestedBy(),
            runbook.dryRun(),
            null,
            name,
            in.source(),
            new BackupVerificationInput.Backup(null, true, false),
            in.backupScratch(),
            in.maxRestoreTime(),
            new PostgresCopyInput.CopyOptions(
                in.copyOrDefault().jobs(), in.copyOrDefault().dumpDir(), null, null, null));
    BackupVerificationWorkflow child =
        Workflow.newChildWorkflowStub(
            BackupVerificationWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(workflowId + "-backup-verification")
                .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
                .build());
    try {
      RunbookResult r = child.run(Json.tree(verifyInput));
      runbook.detail(
          why
              + ": BackupVerification "
              + workflowId
              + "-backup-verification passed"
              + (r.rtoSeconds() != null ? " (RTO " + r.rtoSeconds() + " s)" : ""));
      return r.evidenceId();
    } catch (ChildWorkflowFailure failure) {
      String message =
          failure.getCause() instanceof ApplicationFailure app
              ? app.getOriginalMessage()
              : String.valueOf(failure.getCause());
      throw FailureType.PRECONDITION_FAILED.failure(
          "the BackupVerification of "
              + name
              + " ("
              + workflowId
              + "-backup-verification) failed: "
              + message);
    }
  }

  Facts check(StateHubCutoverInput in, Endpoint target) {
    ServerDescription source = postgres.describe(new DescribeInput(in.source()));
    CheckTargetResult t =
        postgres.checkTarget(new CheckTargetInput(target, source.extensionNames(), true));
    CopyActivities.ToolsReport tools =
        copy.checkTools(
            new CopyActivities.CheckToolsRequest(
                List.of(
                    new CopyActivities.ServerVersion(source.endpoint(), source.versionNum()),
                    new CopyActivities.ServerVersion(
                        t.target().endpoint(), t.target().versionNum()))));
    KubeDeploymentStatus sourceApp = null;
    if (in.sourceFreeze() != null && in.sourceFreeze().app() != null) {
      GiteaDbMigrationInput.App a = in.sourceFreeze().app();
      sourceApp =
          kube.deploymentStatus(
              new KubernetesActivities.KubeDeploymentStatusInput(
                  a.kindOrDefault(), a.namespace(), a.deployment()));
      if (sourceApp.replicas() == 0) {
        throw FailureType.PRECONDITION_FAILED.failure(
            a.namespace()
                + "/"
                + a.deployment()
                + " (sourceFreeze.app) has 0 replicas: the runbook cannot tell how many to start"
                + " again on a rollback. Scale it up first.");
      }
    }
    KubeDeploymentStatus clusterApp = null;
    if (in.app() != null) {
      clusterApp =
          kube.deploymentStatus(
              new KubernetesActivities.KubeDeploymentStatusInput(
                  in.app().kindOrDefault(), in.app().namespace(), in.app().deployment()));
    }
    runbook.detail(
        "source "
            + source.endpoint()
            + " PostgreSQL "
            + source.version()
            + ", "
            + source.userTableCount()
            + " tables; target "
            + t.target().userTableCount()
            + " tables"
            + (tools != null ? "; pg tools " + tools.version() : "")
            + (clusterApp != null
                ? "; cluster app " + clusterApp.readyReplicas() + "/" + clusterApp.replicas()
                : ""));
    return new Facts(source, t, sourceApp, clusterApp);
  }

  /**
   * How the target is loaded: empty → everything; {@code reset} → dropped, then everything; a
   * pre-made schema → it must equal the source's (the version table's rows included), then rows
   * only. A different schema is refused with the differences listed.
   */
  StateHubCutoverWorkflowImpl.Load targetSchema(
      StateHubCutoverInput in, Endpoint target, Facts pre) {
    if (in.target().resetOrDefault()) {
      runbook.detail(
          "target.reset: its "
              + pre.target().target().userTableCount()
              + " tables are dropped, then schema and rows restored");
      return StateHubCutoverWorkflowImpl.Load.RESET;
    }
    if (pre.target().target().userTableCount() == 0) {
      runbook.detail("target is empty: schema and rows are restored");
      return StateHubCutoverWorkflowImpl.Load.FULL;
    }
    List<String> contentTables = in.schemaTablesOrDefault();
    SchemaInventory source = postgres.inventory(new InventoryInput(in.source(), contentTables));
    SchemaInventory made = postgres.inventory(new InventoryInput(target, contentTables));
    List<String> differences = source.differences(made);
    if (!differences.isEmpty()) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "the schema in "
              + target.describe()
              + " differs from the source's in "
              + differences.size()
              + " place(s): "
              + String.join("; ", differences.stream().limit(20).toList())
              + (differences.size() > 20 ? "; …" : "")
              + ". Bring the target to the source's migration version, or set target.reset to"
              + " drop it and restore the source's schema.");
    }
    runbook.detail(
        "target holds the source's schema ("
            + source.objects().size()
            + " objects, "
            + String.join(", ", contentTables)
            + " equal): rows only");
    return StateHubCutoverWorkflowImpl.Load.DATA_ONLY;
  }
}
