package io.signalbox.workflows.rollback;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.copy.DescribeInput;
import io.signalbox.workflows.copy.FreezeInput;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.UnfreezeInput;
import io.signalbox.workflows.copy.UnfreezeResult;
import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeDeploymentStatus;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchResult;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleResult;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.signalbox.workflows.core.StepOptions;
import io.signalbox.workflows.migration.MigrationStubs;
import io.signalbox.workflows.migration.SwitchFacts;
import io.signalbox.workflows.migration.SwitchSteps;
import io.signalbox.workflows.rollback.CarryOverActivities.Carried;
import io.signalbox.workflows.rollback.CarryOverActivities.CompareInput;
import io.signalbox.workflows.rollback.CarryOverActivities.LeftBehind;
import io.signalbox.workflows.rollback.RollbackEvidenceActivities.RecordedRun;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** See {@link RollbackWorkflow} and {@code runbooks/rollback/README.md}. */
public class RollbackWorkflowImpl extends RunbookWorkflow<RollbackInput>
    implements RollbackWorkflow {

  /** The runbooks whose completed runs a rollback undoes. */
  static final List<String> ROLLBACK_OF = List.of("GiteaDbMigration", "StateHubCutover");

  public RollbackWorkflowImpl() {
    super(TYPE, RollbackInput.class);
  }

  // The same limits as the migration whose steps this undoes: the recorded timeouts fit them.
  private final MigrationStubs stubs = MigrationStubs.create();
  private final PostgresActivities postgres = stubs.postgres();
  private final KubernetesActivities kube = stubs.kube();
  private final CommandActivities commands = stubs.commands();
  private final HealthCheckActivities health = stubs.health();
  private final RollbackEvidenceActivities evidence =
      Workflow.newActivityStub(
          RollbackEvidenceActivities.class, StepOptions.of(Duration.ofMinutes(2), 10));
  private final CarryOverActivities carry =
      Workflow.newActivityStub(CarryOverActivities.class, StepOptions.of(Duration.ofHours(6), 5));

  private final SwitchSteps switchSteps = new SwitchSteps(kube, commands);

  @Override
  public RunbookResult run(JsonNode input) {
    return runbook.execute(input, this::rollback);
  }

  /** What this rollback records as its own {@code switched}: the link to the run it undoes. */
  record RollbackFacts(
      String rollbackOf,
      String workflowId,
      String runId,
      String runbook,
      boolean carryOver,
      Carried carried) {}

  private void rollback(RollbackInput in) {
    String ownId = Workflow.getInfo().getWorkflowId();
    if (!ownId.equals(RollbackInput.id(in.workflowId()))) {
      throw FailureType.INVALID_INPUT.failure(
          "$.workflowId: a rollback of "
              + in.workflowId()
              + " runs under the workflow id "
              + RollbackInput.id(in.workflowId())
              + " (this one is "
              + ownId
              + "), so that two rollbacks of one run cannot run at once. Start it with that id.");
    }

    // ---- evidence: what the run switched; refuses before anything is touched
    Plan plan = runbook.step("evidence", () -> readEvidence(in));
    SwitchFacts f = plan.facts;
    runbook.switched(
        new RollbackFacts(
            plan.run.evidenceId(),
            plan.run.workflowId(),
            plan.run.runId(),
            plan.run.runbook(),
            in.carryOverOrDefault(),
            null));

    // ---- preflight: both databases answer; the app's replicas now (for the undo)
    KubeDeploymentStatus appNow =
        runbook.step(
            "preflight",
            () -> {
              var oldDb = postgres.describe(new DescribeInput(f.oldDatabase()));
              var newDb = postgres.describe(new DescribeInput(f.newDatabase()));
              KubeDeploymentStatus app = null;
              if (f.app() != null) {
                app =
                    kube.deploymentStatus(
                        new KubernetesActivities.KubeDeploymentStatusInput(
                            f.app().kind(), f.app().namespace(), f.app().name()));
              }
              runbook.detail(
                  "old "
                      + oldDb.endpoint()
                      + " ("
                      + oldDb.userTableCount()
                      + " tables), new "
                      + newDb.endpoint()
                      + " ("
                      + newDb.userTableCount()
                      + " tables)"
                      + (app == null
                          ? ""
                          : "; app " + app.readyReplicas() + "/" + app.replicas() + " ready"));
              return app;
            });

    // ---- measure what would be left behind on the new database
    LeftBehind left =
        runbook.step(
            "measure",
            () -> {
              LeftBehind l =
                  carry.compare(new CompareInput(f.newDatabase(), f.oldDatabase(), null));
              runbook.detail(l.summary());
              return l;
            });
    Map<String, Object> report = RollbackReports.gateReport(in, plan.run, plan.facts, left);
    runbook.verification(report);
    if (runbook.dryRun()) {
      runbook.plan(report);
    }

    // ---- gate rollback: the approver sees what would be left behind
    runbook.gate(
        "rollback",
        "Put "
            + (f.app() != null ? f.app().describe() : "the clients")
            + " back on "
            + f.oldDatabase().describe()
            + "? "
            + left.summary()
            + (in.carryOverOrDefault()
                ? " Rows only on the new database are carried over first."
                : " Nothing is carried over."),
        report);

    // ---- stop writes to the new database
    freezeNew(f, appNow);

    // ---- carry-over: after the freeze, so nothing is written behind it
    if (in.carryOverOrDefault()) {
      Carried carried =
          runbook.change(
              "carry-over",
              null, // rows copied to the old database stay: a later rollback finds them there
              () -> {
                Carried c =
                    carry.carryOver(new CompareInput(f.newDatabase(), f.oldDatabase(), null));
                runbook.detail(c.summary());
                return c;
              });
      report.put("carried", carried);
      runbook.verification(report);
      runbook.switched(
          new RollbackFacts(
              plan.run.evidenceId(),
              plan.run.workflowId(),
              plan.run.runId(),
              plan.run.runbook(),
              true,
              carried));
    }

    // ---- repoint the app: the switch undone in reverse order
    repoint(f);

    // ---- lift the old database's freeze
    unfreezeOld(f);

    // ---- start the app on the old database
    if (f.app() != null) {
      String up = Workflow.randomUUID().toString();
      runbook.change(
          "start-app",
          () -> kube.scale(f.app().scale(0, Workflow.randomUUID().toString())),
          () -> {
            KubeScaleResult r = kube.scale(f.app().scale(f.app().replicas(), up));
            runbook.detail(r.readyReplicas() + " of " + r.replicas() + " ready");
            return r;
          });
    }

    // ---- health check
    if (f.healthCheck() != null) {
      runbook.step(
          "health-check",
          () -> {
            HealthCheckActivities.HealthCheckResult h =
                health.waitHealthy(
                    new HealthCheckActivities.HealthCheckInput(
                        f.healthCheck().url(),
                        f.healthCheck().timeout(),
                        f.healthCheck().interval()));
            runbook.detail("healthy after " + h.attempts() + " attempts");
            return h;
          });
    }

    // ---- link the evidence both ways (this run's result names the run it rolled back)
    runbook.change(
        "link-evidence",
        null,
        () -> {
          try {
            evidence.markRolledBack(
                new RollbackEvidenceActivities.MarkInput(
                    plan.run.workflowId(),
                    plan.run.runId(),
                    new RollbackEvidenceActivities.RolledBack(
                        ownId,
                        Workflow.getInfo().getRunId(),
                        in.requestedBy(),
                        Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString())));
            runbook.detail("evidence " + plan.run.evidenceId() + " marked rolled back");
          } catch (ActivityFailure failure) {
            // The app is back on the old database and healthy: a lost link must not undo that.
            // This run's own evidence still names the run it rolled back.
            runbook.detail(
                "NOT linked, mark "
                    + plan.run.evidenceId()
                    + " by hand: "
                    + (failure.getCause() instanceof ApplicationFailure cause
                        ? cause.getOriginalMessage()
                        : failure.getMessage()));
          }
        });
  }

  // ------------------------------------------------------------------ evidence

  private record Plan(RecordedRun run, SwitchFacts facts) {}

  private Plan readEvidence(RollbackInput in) {
    RecordedRun run =
        evidence.findRun(new RollbackEvidenceActivities.FindRunInput(in.workflowId(), in.runId()));
    SwitchFacts facts = RollbackEvidenceChecks.checked(in, run);
    String id = run.evidenceId();
    runbook.detail(
        run.runbook()
            + " "
            + id
            + " completed"
            + (run.endedAt() == null ? "" : " at " + run.endedAt())
            + "; it moved "
            + facts.oldDatabase().describe()
            + " to "
            + facts.newDatabase().describe()
            + "; switch: "
            + RollbackReports.describeSwitch(facts));
    return new Plan(run, facts);
  }

  // ------------------------------------------------------------------ changes

  private void freezeNew(SwitchFacts f, KubeDeploymentStatus appNow) {
    if (f.app() != null) {
      String down = Workflow.randomUUID().toString();
      int now = appNow.replicas();
      runbook.change(
          "freeze-new",
          // Undo: the app back at the replicas it has now, still on the new database.
          () -> kube.scale(f.app().scale(now, Workflow.randomUUID().toString())),
          () -> {
            KubeScaleResult r = kube.scale(f.app().scale(0, down));
            runbook.detail(
                "scaled " + f.app().describe() + " from " + r.previousReplicas() + " to 0");
            return r;
          });
    } else {
      String requestId = Workflow.randomUUID().toString();
      runbook.change(
          "freeze-new",
          () -> postgres.unfreeze(new UnfreezeInput(f.newDatabase(), requestId, false)),
          () -> {
            var r = postgres.freeze(new FreezeInput(f.newDatabase(), requestId));
            runbook.detail(
                f.newDatabase().database()
                    + " read-only, "
                    + r.sessionsTerminated()
                    + " sessions ended"
                    + (r.alreadyFrozen() ? " (it was already frozen)" : ""));
            return r;
          });
    }
  }

  private void repoint(SwitchFacts f) {
    SwitchFacts.SwitchCommand c = f.command();
    if (c != null) {
      runbook.change(
          "repoint:command",
          // Undo: the switch command again, back on the new database.
          () -> switchSteps.runCommand(c.argv(), c.timeout(), c.workingDir(), runbook::detail),
          () ->
              switchSteps.runCommand(
                  c.rollbackArgv(), c.timeout(), c.workingDir(), runbook::detail));
    }
    List<SwitchFacts.AppliedPatch> patches = f.patches() == null ? List.of() : f.patches();
    for (int i = patches.size() - 1; i >= 0; i--) {
      SwitchFacts.AppliedPatch p = patches.get(i);
      KubePatchInput restore = p.undo(Workflow.randomUUID().toString());
      KubePatchResult[] done = new KubePatchResult[1];
      runbook.change(
          "repoint:" + p.describe(),
          // Undo: the restore's own undo puts the switched values back.
          () -> switchSteps.undoPatch(restore, done[0]),
          () -> {
            done[0] = kube.mergePatch(restore);
            runbook.detail(
                (done[0].changed() ? "restored " : "already as before the switch: ")
                    + String.join(", ", done[0].touchedPaths()));
            return done[0];
          });
    }
  }

  private void unfreezeOld(SwitchFacts f) {
    SwitchFacts.Freeze freeze = f.freeze();
    if (!SwitchFacts.FREEZE_READ_ONLY.equals(freeze.mode())) {
      return; // the app was scaled away from the old database: starting it is the unfreeze
    }
    if (Boolean.TRUE.equals(freeze.alreadyFrozen())) {
      runbook.step(
          "unfreeze-old",
          () ->
              runbook.detail(
                  f.oldDatabase().database()
                      + " was frozen before the migration; that freeze is not the migration's to"
                      + " lift and stays"));
      return;
    }
    runbook.change(
        "unfreeze-old",
        // Undo: frozen again under the migration's own request id, exactly as it was left.
        () -> postgres.freeze(new FreezeInput(f.oldDatabase(), freeze.requestId())),
        () -> {
          UnfreezeResult r =
              postgres.unfreeze(new UnfreezeInput(f.oldDatabase(), freeze.requestId(), false));
          if (r.wasFrozen() && !r.unfrozen()) {
            throw FailureType.PRECONDITION_FAILED.failure(
                f.oldDatabase().describe()
                    + " is frozen by somebody else now ("
                    + r.note()
                    + "); lift that freeze first, then start the rollback again.");
          }
          runbook.detail(
              f.oldDatabase().database()
                  + (r.unfrozen() ? " writable again" : " was not frozen (already writable)"));
          return r;
        });
  }
}
