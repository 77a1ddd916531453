package io.signalbox.workflows.statehub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.workflows.backup.BackupHistoryActivities;
import io.signalbox.workflows.backup.BackupVerificationInput;
import io.signalbox.workflows.backup.BackupVerificationWorkflow;
import io.signalbox.workflows.copy.CheckTargetInput;
import io.signalbox.workflows.copy.CheckTargetResult;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.CopyEstimate;
import io.signalbox.workflows.copy.DescribeInput;
import io.signalbox.workflows.copy.InventoryInput;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.PostgresCopyInput;
import io.signalbox.workflows.copy.PostgresCopyWorkflow;
import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeDeploymentStatus;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.signalbox.workflows.core.StepOptions;
import io.signalbox.workflows.core.StepRecord;
import io.signalbox.workflows.gitea.GiteaDbMigrationInput;
import io.signalbox.workflows.gitea.GiteaDbMigrationLimits;
import io.signalbox.workflows.migration.AppSteps;
import io.signalbox.workflows.migration.FreezeSteps;
import io.signalbox.workflows.migration.HealthSteps;
import io.signalbox.workflows.migration.MigrationStubs;
import io.signalbox.workflows.migration.SwitchFacts;
import io.signalbox.workflows.migration.SwitchSteps;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * See {@link StateHubCutoverWorkflow} and {@code runbooks/state-hub-cutover/README.md}. The freeze,
 * the start of the app, the switch and the health check are the shared steps of {@code
 * io.signalbox.workflows.migration}, recorded as {@link SwitchFacts} the way {@code
 * GiteaDbMigration} records them, so {@code Rollback} can undo a cutover too.
 */
public class StateHubCutoverWorkflowImpl extends RunbookWorkflow<StateHubCutoverInput>
    implements StateHubCutoverWorkflow {

  public StateHubCutoverWorkflowImpl() {
    super(TYPE, StateHubCutoverInput.class);
  }

  private final MigrationStubs stubs = MigrationStubs.create();
  private final PostgresActivities postgres = stubs.postgres();
  private final KubernetesActivities kube = stubs.kube();
  private final CommandActivities commands = stubs.commands();
  private final HealthCheckActivities health = stubs.health();
  private final CopyActivities copy =
      Workflow.newActivityStub(
          CopyActivities.class, StepOptions.of(GiteaDbMigrationLimits.POSTGRES_START_TO_CLOSE, 5));
  private final BackupHistoryActivities history =
      Workflow.newActivityStub(
          BackupHistoryActivities.class,
          StepOptions.of(GiteaDbMigrationLimits.POSTGRES_START_TO_CLOSE, 5));

  private final SwitchSteps switchSteps = new SwitchSteps(kube, commands);
  private final FreezeSteps freezeSteps = new FreezeSteps(postgres, kube);
  private final AppSteps appSteps = new AppSteps(kube);
  private final HealthSteps healthSteps = new HealthSteps(health);

  /** What this run switched, for a later {@code Rollback} (see {@link SwitchFacts}). */
  private SwitchFacts.Builder facts;

  /**
   * What the run's verification adds to the newest copy's report: the rehearsal's report, both
   * copies' timings, the expected and the measured write downtime.
   */
  private final Map<String, Object> verification = new LinkedHashMap<>();

  private JsonNode rehearsalReport;
  private JsonNode finalReport;

  @Override
  public RunbookResult run(JsonNode input) {
    return runbook.execute(input, this::cutover);
  }

  /** How the rehearsal loads the target. */
  enum Load {
    /** The target is empty: schema and rows. */
    FULL,
    /** The target holds the schema the app's migrations made, equal to the source's: rows only. */
    DATA_ONLY,
    /** {@code target.reset}: drop what is there, then schema and rows. */
    RESET
  }

  private record Preflight(
      ServerDescription source,
      CheckTargetResult target,
      KubeDeploymentStatus sourceApp,
      KubeDeploymentStatus clusterApp) {}

  private void cutover(StateHubCutoverInput in) {
    String workflowId = Workflow.getInfo().getWorkflowId();
    Endpoint target = in.target().endpoint();
    in.copyOrDefault().hostTimeoutOrDefault(); // InvalidInput before anything runs
    String rehearsalId = workflowId + "-rehearsal";
    String finalId = workflowId + "-final";

    // ---- precondition: a fresh verified backup of the source
    runbook.step("backup-precondition", () -> backupPrecondition(in, workflowId));

    // ---- preflight and the target's schema: read-only, stops the run before anything changes
    Preflight pre = runbook.step("preflight", () -> preflight(in, target));
    Load load = runbook.step("target-schema", () -> targetSchema(in, target, pre));

    facts = SwitchFacts.newBuilder(in.source(), target);
    if (in.healthCheck() != null) {
      facts.healthCheck(healthFacts(in));
    }

    if (runbook.dryRun()) {
      RunbookResult plan =
          runbook.step(
              "copy-plan", () -> copyChild(in, workflowId + "-copy-plan", load, null, true));
      Map<String, Object> report = new LinkedHashMap<>();
      report.put("source", pre.source.endpoint());
      report.put("target", target.describe());
      report.put("load", load.name());
      report.put("copy", plan.plan());
      report.put(
          "steps",
          List.of(
              "rehearsal copy into " + target.describe() + " (" + load + "), source stays live",
              "gate freeze",
              "freeze " + freezeSummary(in),
              "final copy (rows only, the rehearsal's removed first)",
              "gate cutover",
              in.app() != null ? "scale " + in.app().workload().describe() + " up" : "no app",
              "switch: " + SwitchSteps.summary(in.switchTo()),
              in.healthCheck() != null ? "health check " + in.healthCheck().url() : "none",
              "the source stays frozen as the fallback"));
      runbook.plan(report);
    }

    // ---- rehearsal: the source stays live and writable
    long rehearsalStart = Workflow.currentTimeMillis();
    RunbookResult rehearsal =
        runbook.change("rehearsal", null, () -> copyChild(in, rehearsalId, load, null, false));
    if (rehearsal == null) {
      return; // dry run: the changes are shown as skipped
    }
    long rehearsalMillis = Workflow.currentTimeMillis() - rehearsalStart;
    Map<String, Object> timings = timings(rehearsal, rehearsalMillis);
    rehearsalReport = rehearsal.verification();
    verification.put("rehearsalTimings", timings);
    // The final copy does the same work on the same data, with the source frozen meanwhile.
    long expectedDowntime = Math.round(rehearsalMillis / 1000.0);
    verification.put("expectedWriteDowntimeSeconds", expectedDowntime);
    publishVerification();

    // ---- gate freeze
    Map<String, Object> freezeReport = new LinkedHashMap<>();
    freezeReport.put("source", pre.source.endpoint());
    freezeReport.put("target", target.describe());
    freezeReport.put("load", load.name());
    freezeReport.put("rehearsal", summary(rehearsal.verification()));
    freezeReport.put("timings", timings);
    freezeReport.put("expectedWriteDowntimeSeconds", expectedDowntime);
    freezeReport.put(
        "expectedWriteDowntime",
        "about "
            + expectedDowntime
            + " s for the final copy, plus the wait at gate cutover and the switch");
    CopyEstimate expected =
        CopyEstimate.fromCopy(
            pre.source.sizeBytes(), pre.source.sizeBytes(), rehearsalMillis, "the rehearsal copy");
    if (expected != null) {
      freezeReport.put("expectedCopy", expected.report());
    }
    freezeReport.put("freeze", freezeSummary(in));
    runbook.gate(
        "freeze",
        "The rehearsal copy verified. Freeze writes to "
            + pre.source.endpoint()
            + " ("
            + freezeSummary(in)
            + ") for about "
            + expectedDowntime
            + " s plus the cutover decision, and take the final copy?",
        freezeReport);

    // ---- freeze the source: undone by every end but success
    long frozenAt = Workflow.currentTimeMillis();
    if (in.sourceFreeze() != null && in.sourceFreeze().app() != null) {
      GiteaDbMigrationInput.App a = in.sourceFreeze().app();
      freezeSteps.scaleDown(
          runbook,
          new SwitchFacts.Workload(
              a.kindOrDefault(),
              a.namespace(),
              a.deployment(),
              pre.sourceApp.replicas(),
              a.timeout()),
          f -> recordFacts(facts.freeze(f)));
    } else {
      freezeSteps.readOnly(runbook, in.source(), f -> recordFacts(facts.freeze(f)));
    }

    // ---- final copy: the rehearsal's rows removed first, rows only, exact match required
    long finalStart = Workflow.currentTimeMillis();
    RunbookResult fin =
        runbook.change(
            "final-copy", null, () -> copyChild(in, finalId, Load.DATA_ONLY, rehearsalId, false));
    finalReport = fin.verification();
    verification.put("finalTimings", timings(fin, Workflow.currentTimeMillis() - finalStart));
    publishVerification();

    // ---- gate cutover
    runbook.gate(
        "cutover",
        "The final copy verified exactly. Make "
            + target.describe()
            + " the primary"
            + (in.app() != null ? " (start " + in.app().workload().describe() + ")" : "")
            + "? "
            + pre.source.endpoint()
            + " stays frozen as the fallback.",
        fin.verification());

    // ---- start the cluster-side app, switch, health check
    if (in.app() != null) {
      appSteps.start(
          runbook, in.app().workload(), pre.clusterApp.replicas(), w -> recordFacts(facts.app(w)));
    }
    switchEndpoint(in);
    long downtime = Math.round((Workflow.currentTimeMillis() - frozenAt) / 1000.0);
    verification.put("writeDowntimeSeconds", downtime);
    publishVerification();
    if (in.healthCheck() != null) {
      healthSteps.check(runbook, healthFacts(in));
    }
  }

  // ------------------------------------------------------------------ steps

  /**
   * A successful BackupVerification of the source within {@code backupFreshness}, read from the
   * evidence store; otherwise one now (a child), and the run stops if it fails.
   */
  private Object backupPrecondition(StateHubCutoverInput in, String workflowId) {
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

  private Preflight preflight(StateHubCutoverInput in, Endpoint target) {
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
    return new Preflight(source, t, sourceApp, clusterApp);
  }

  /**
   * How the target is loaded: empty → everything; {@code reset} → dropped, then everything; a
   * pre-made schema → it must equal the source's (the version table's rows included), then rows
   * only. A different schema is refused with the differences listed.
   */
  private Load targetSchema(StateHubCutoverInput in, Endpoint target, Preflight pre) {
    if (in.target().resetOrDefault()) {
      runbook.detail(
          "target.reset: its "
              + pre.target.target().userTableCount()
              + " tables are dropped, then schema and rows restored");
      return Load.RESET;
    }
    if (pre.target.target().userTableCount() == 0) {
      runbook.detail("target is empty: schema and rows are restored");
      return Load.FULL;
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
    return Load.DATA_ONLY;
  }

  private RunbookResult copyChild(
      StateHubCutoverInput in, String copyId, Load load, String replacesCopyId, boolean dryRun) {
    PostgresCopyInput.CopyOptions o = in.copyOrDefault();
    PostgresCopyInput.CopyOptions options =
        new PostgresCopyInput.CopyOptions(
            o.jobs(),
            o.dumpDir(),
            o.compression(),
            o.noOwner(),
            o.hostTimeout(),
            load == Load.DATA_ONLY ? Boolean.TRUE : null,
            load == Load.DATA_ONLY ? in.schemaTablesOrDefault() : null,
            load == Load.RESET ? Boolean.TRUE : null);
    PostgresCopyInput copyInput =
        new PostgresCopyInput(
            in.requestedBy(),
            dryRun,
            null,
            in.source(),
            in.target().endpoint(),
            options,
            in.verify(),
            copyId,
            replacesCopyId);
    PostgresCopyWorkflow child =
        Workflow.newChildWorkflowStub(
            PostgresCopyWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(copyId)
                // A cancelled cutover ends only after its copy (and its pg tools) stopped.
                .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
                .build());
    try {
      RunbookResult result = child.run(Json.tree(copyInput));
      if (!dryRun) {
        runbook.detail(
            "verified: "
                + result.verification().path("summary").asText()
                + " (child "
                + copyId
                + ")");
      }
      return result;
    } catch (ChildWorkflowFailure failure) {
      // Carry the child's verification report into this run's result and evidence.
      if (failure.getCause() instanceof ApplicationFailure app && app.getDetails().getSize() > 0) {
        RunbookResult r = app.getDetails().get(RunbookResult.class);
        if (r != null && r.verification() != null) {
          if (copyId.endsWith("-final")) {
            finalReport = r.verification();
          } else {
            rehearsalReport = r.verification();
          }
          publishVerification();
        }
      }
      throw failure;
    }
  }

  /**
   * The run's verification, as the result and the evidence carry it: the newest copy's full report
   * (the final copy's once there is one, so the evidence shows its table), with the rehearsal's
   * report under {@code rehearsal} and the figures of {@link #verification}.
   */
  private void publishVerification() {
    JsonNode primary = finalReport != null ? finalReport : rehearsalReport;
    ObjectNode v =
        primary != null && primary.isObject()
            ? ((ObjectNode) primary).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    v.put("copy", finalReport != null ? "final" : "rehearsal");
    if (finalReport != null && rehearsalReport != null) {
      v.set("rehearsal", rehearsalReport);
    }
    verification.forEach((k, value) -> v.set(k, Json.tree(value)));
    runbook.verification(v);
  }

  private void switchEndpoint(StateHubCutoverInput in) {
    switchSteps.apply(runbook, in.switchTo(), facts);
  }

  // ------------------------------------------------------------------ helpers

  private void recordFacts(SwitchFacts.Builder builder) {
    runbook.switched(builder.build());
  }

  private static SwitchFacts.HealthCheck healthFacts(StateHubCutoverInput in) {
    return new SwitchFacts.HealthCheck(
        in.healthCheck().url(), in.healthCheck().timeout(), in.healthCheck().interval());
  }

  /** The verification's headline: what a gate shows (the table rows stay in the evidence). */
  private static Map<String, Object> summary(JsonNode v) {
    Map<String, Object> s = new LinkedHashMap<>();
    if (v == null || v.isNull()) {
      return s;
    }
    s.put("matches", v.path("matches").asBoolean());
    s.put("summary", v.path("summary").asText());
    s.put("checksums", v.path("checksums").asBoolean());
    s.put("sourceRows", v.path("sourceRows").asLong());
    s.put("targetRows", v.path("targetRows").asLong());
    // A bounded report (fullReport) counts every table in tableCount; its rows are the first few.
    s.put("tables", v.has("tableCount") ? v.path("tableCount").asInt() : v.path("tables").size());
    if (v.has("mismatchCount")) {
      s.put("mismatchingTables", v.path("mismatchCount").asInt());
    }
    if (v.has("fullReport")) {
      s.put("fullReport", v.get("fullReport"));
    }
    return s;
  }

  /** Seconds of the copy's dump, restore and verify steps, and of the whole child. */
  private static Map<String, Object> timings(RunbookResult r, long totalMillis) {
    Map<String, Object> t = new LinkedHashMap<>();
    if (r.steps() != null) {
      for (StepRecord s : r.steps()) {
        if (s.startedAt() != null && s.endedAt() != null) {
          long ms =
              Instant.parse(s.endedAt()).toEpochMilli()
                  - Instant.parse(s.startedAt()).toEpochMilli();
          t.put(s.name() + "Seconds", ms / 1000.0);
        }
      }
    }
    t.put("totalSeconds", totalMillis / 1000.0);
    return t;
  }

  private static String freezeSummary(StateHubCutoverInput in) {
    if (in.sourceFreeze() != null && in.sourceFreeze().app() != null) {
      return "scale "
          + in.sourceFreeze().app().namespace()
          + "/"
          + in.sourceFreeze().app().deployment()
          + " to 0";
    }
    return "make " + in.source().database() + " read-only and end its sessions";
  }
}
