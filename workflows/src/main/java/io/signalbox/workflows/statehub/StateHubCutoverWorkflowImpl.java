package io.signalbox.workflows.statehub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.workflows.backup.BackupHistoryActivities;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.PostgresCopyInput;
import io.signalbox.workflows.copy.PostgresCopyWorkflow;
import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.signalbox.workflows.core.StepOptions;
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
import java.util.LinkedHashMap;
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
  private final StateHubCutoverPreflight checks =
      new StateHubCutoverPreflight(runbook, postgres, kube, copy, history);

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

  private void cutover(StateHubCutoverInput in) {
    String workflowId = Workflow.getInfo().getWorkflowId();
    Endpoint target = in.target().endpoint();
    in.copyOrDefault().hostTimeoutOrDefault(); // InvalidInput before anything runs
    String rehearsalId = workflowId + "-rehearsal";
    String finalId = workflowId + "-final";

    // ---- precondition: a fresh verified backup of the source
    runbook.step("backup-precondition", () -> checks.backupPrecondition(in, workflowId));

    // ---- preflight and the target's schema: read-only, stops the run before anything changes
    StateHubCutoverPreflight.Facts pre = runbook.step("preflight", () -> checks.check(in, target));
    Load load = runbook.step("target-schema", () -> checks.targetSchema(in, target, pre));

    facts = SwitchFacts.newBuilder(in.source(), target);
    if (in.healthCheck() != null) {
      facts.healthCheck(healthFacts(in));
    }

    if (runbook.dryRun()) {
      RunbookResult plan =
          runbook.step(
              "copy-plan", () -> copyChild(in, workflowId + "-copy-plan", load, null, true));
      runbook.plan(StateHubCutoverReports.plan(in, pre, target, load, plan));
    }

    // ---- rehearsal: the source stays live and writable
    long rehearsalStart = Workflow.currentTimeMillis();
    RunbookResult rehearsal =
        runbook.change("rehearsal", null, () -> copyChild(in, rehearsalId, load, null, false));
    if (rehearsal == null) {
      return; // dry run: the changes are shown as skipped
    }
    long rehearsalMillis = Workflow.currentTimeMillis() - rehearsalStart;
    Map<String, Object> timings = StateHubCutoverReports.timings(rehearsal, rehearsalMillis);
    rehearsalReport = rehearsal.verification();
    verification.put("rehearsalTimings", timings);
    // The final copy does the same work on the same data, with the source frozen meanwhile.
    long expectedDowntime = Math.round(rehearsalMillis / 1000.0);
    verification.put("expectedWriteDowntimeSeconds", expectedDowntime);
    publishVerification();

    // ---- gate freeze
    Map<String, Object> freezeReport =
        StateHubCutoverReports.freeze(
            in, pre, target, load, rehearsal, timings, expectedDowntime, rehearsalMillis);
    runbook.gate(
        "freeze",
        "The rehearsal copy verified. Freeze writes to "
            + pre.source().endpoint()
            + " ("
            + StateHubCutoverReports.freezeSummary(in)
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
              pre.sourceApp().replicas(),
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
    verification.put(
        "finalTimings",
        StateHubCutoverReports.timings(fin, Workflow.currentTimeMillis() - finalStart));
    publishVerification();

    // ---- gate cutover
    runbook.gate(
        "cutover",
        "The final copy verified exactly. Make "
            + target.describe()
            + " the primary"
            + (in.app() != null ? " (start " + in.app().workload().describe() + ")" : "")
            + "? "
            + pre.source().endpoint()
            + " stays frozen as the fallback.",
        fin.verification());

    // ---- start the cluster-side app, switch, health check
    if (in.app() != null) {
      appSteps.start(
          runbook,
          in.app().workload(),
          pre.clusterApp().replicas(),
          w -> recordFacts(facts.app(w)));
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
}
