package io.signalbox.workflows.rollback;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.signalbox.workflows.copy.FreezeResult;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.copy.UnfreezeResult;
import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchResult;
import io.signalbox.workflows.core.SecretRef;
import io.signalbox.workflows.migration.SwitchFacts;
import io.signalbox.workflows.rollback.CarryOverActivities.Carried;
import io.signalbox.workflows.rollback.CarryOverActivities.LeftBehind;
import io.signalbox.workflows.rollback.CarryOverActivities.TableDiff;
import io.signalbox.workflows.rollback.RollbackEvidenceActivities.RecordedRun;
import io.signalbox.workflows.testing.MigrationMocks;
import java.util.List;

/**
 * Mocked activities for Rollback as a completed GiteaDbMigration left things: Gitea switched by a
 * Secret patch and a helm command, scaled from 3, the new database with one new row.
 */
final class RollbackMocks {
  static final String MIGRATION = "gitea-db-migration-1";
  static final String BACKUP = "gitea-db-signalbox-backup-p1";

  final PostgresActivities postgres = mockOf(PostgresActivities.class);
  final KubernetesActivities kube = mockOf(KubernetesActivities.class);
  final CommandActivities commands = mockOf(CommandActivities.class);
  final HealthCheckActivities health = mockOf(HealthCheckActivities.class);
  final InputActivities inputs = mockOf(InputActivities.class);
  final EvidenceActivities evidence = mockOf(EvidenceActivities.class);
  final RollbackEvidenceActivities runs = mockOf(RollbackEvidenceActivities.class);
  final CarryOverActivities carry = mockOf(CarryOverActivities.class);

  static <T> T mockOf(Class<T> type) {
    return mock(type, withSettings().withoutAnnotations());
  }

  static Endpoint endpoint(String host) {
    return new Endpoint(
        host, 5432, "gitea", "gitea", new SecretRef("GITEA_DB_PASSWORD", null, null), null, null);
  }

  /** What GiteaDbMigration records; {@code appMode} false: a database-level freeze, no app. */
  static SwitchFacts facts(boolean appMode) {
    SwitchFacts.Workload app = new SwitchFacts.Workload("Deployment", "gitea", "gitea", 3, "PT1M");
    SwitchFacts.Builder b =
        SwitchFacts.newBuilder(endpoint("old-db"), endpoint("new-db"))
            .freeze(
                appMode
                    ? new SwitchFacts.Freeze(SwitchFacts.FREEZE_APP, "r-down", null, app)
                    : new SwitchFacts.Freeze(SwitchFacts.FREEZE_READ_ONLY, "r-freeze", false, null))
            .patch(
                new SwitchFacts.AppliedPatch(
                    "v1",
                    "Secret",
                    null,
                    "gitea",
                    "gitea-db",
                    "p1",
                    true,
                    List.of("/data/host"),
                    null,
                    BACKUP))
            .command(
                new SwitchFacts.SwitchCommand(
                    List.of("helm", "upgrade", "gitea"),
                    List.of("helm", "rollback", "gitea"),
                    "PT5M",
                    null))
            .healthCheck(new SwitchFacts.HealthCheck("http://gitea/api/healthz", "PT1M", null));
    if (appMode) {
      b.app(app);
    }
    return b.build();
  }

  static RecordedRun completed(SwitchFacts facts) {
    return new RecordedRun(
        true,
        MIGRATION,
        "run-1",
        MIGRATION + "/run-1",
        "GiteaDbMigration",
        "COMPLETED",
        false,
        "2026-11-20T10:00:00Z",
        facts == null ? null : Json.tree(facts),
        null);
  }

  static final LeftBehind LEFT =
      new LeftBehind(
          List.of(
              new TableDiff(
                  "public.repository",
                  List.of("id"),
                  11,
                  10,
                  1,
                  0,
                  0,
                  List.of("(11)"),
                  List.of(),
                  true,
                  null)),
          2,
          1,
          1,
          0,
          0,
          List.of(),
          "1 rows only on the new database, 0 rows changed there, 0 rows only on the old"
              + " database, in 1 of 2 tables.");

  RollbackMocks() {
    when(inputs.validate(any())).thenReturn(new InputActivities.ValidationResult(List.of()));
    when(evidence.record(any())).thenReturn(new EvidenceActivities.EvidenceRef("ev", null, null));
    when(runs.findRun(any())).thenReturn(completed(facts(true)));
    when(postgres.describe(any()))
        .thenReturn(
            new ServerDescription(
                "gitea@db:5432/gitea",
                150008,
                "15.8",
                "PostgreSQL 15.8",
                1,
                List.of(),
                2,
                "UTF8",
                "C",
                false));
    when(postgres.freeze(any())).thenReturn(new FreezeResult("gitea", false, "x", 0));
    when(postgres.unfreeze(any())).thenReturn(new UnfreezeResult("gitea", true, true, null));
    when(kube.deploymentStatus(any()))
        .thenReturn(
            new KubernetesActivities.KubeDeploymentStatus(
                "Deployment", "gitea", "gitea", 3, 3, 3, List.of("gitea:1.22"), "app=gitea"));
    MigrationMocks.scalesFrom(kube, 3);
    when(kube.mergePatch(any()))
        .thenAnswer(
            i -> {
              KubePatchInput in = i.getArgument(0);
              return new KubePatchResult(
                  in.apiVersion(),
                  in.kind(),
                  in.namespace(),
                  in.name(),
                  true,
                  List.of("/data/host"),
                  null,
                  "gitea-db-signalbox-backup-" + in.requestId());
            });
    when(commands.run(any()))
        .thenAnswer(
            i -> {
              CommandActivities.CommandInput in = i.getArgument(0);
              return new CommandActivities.CommandOutput(
                  in.argv(), 0, false, 10, "", 0, "", "", 0, "");
            });
    when(health.waitHealthy(any()))
        .thenReturn(new HealthCheckActivities.HealthCheckResult(true, 1, 200, null, 10));
    when(carry.compare(any())).thenReturn(LEFT);
    when(carry.carryOver(any()))
        .thenReturn(
            new Carried(
                List.of(new CarryOverActivities.TableCarried("public.repository", 1, 0, List.of())),
                1,
                0,
                List.of(),
                List.of(),
                "carried 1 rows"));
  }

  Object[] all() {
    return new Object[] {postgres, kube, commands, health, inputs, evidence, runs, carry};
  }
}
