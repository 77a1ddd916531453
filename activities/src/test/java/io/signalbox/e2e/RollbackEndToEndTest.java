package io.signalbox.e2e;

import static io.signalbox.testing.GiteaClusterFixtures.CNPG_CLUSTER;
import static io.signalbox.testing.GiteaClusterFixtures.cnpgCluster;
import static io.signalbox.testing.GiteaClusterFixtures.giteaDeployment;
import static io.signalbox.testing.GiteaClusterFixtures.secret;
import static io.signalbox.workflows.testing.RunbookStubs.approve;
import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.signalbox.activities.command.CommandActivitiesImpl;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceStore;
import io.signalbox.activities.evidence.RollbackEvidenceActivitiesImpl;
import io.signalbox.activities.health.HealthCheckActivitiesImpl;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.activities.kubernetes.KubernetesActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.rollback.CarryOverActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.DeploymentController;
import io.signalbox.testing.EvidenceDatabase;
import io.signalbox.testing.HealthEndpoint;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookStatus;
import io.signalbox.workflows.core.Signals;
import io.signalbox.workflows.gitea.GiteaDbMigrationWorkflowImpl;
import io.signalbox.workflows.rollback.RollbackWorkflowImpl;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Rollback end to end, after a real GiteaDbMigration: two PostgreSQL servers (the old database and
 * the cluster's), real pg_dump/pg_restore for the migration, fabric8's mock API server holding
 * Gitea's Deployment and database Secret, a real health endpoint and command, evidence in a real
 * database. Writes land on the new database after the switch; the rollback measures them, carries
 * them back when asked, and puts Gitea back on the old database.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class RollbackEndToEndTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String OLD_HOST = "gitea-postgresql.gitea.svc:5432";
  private static final String NEW_HOST = "gitea-db-rw.databases.svc:5432";

  KubernetesClient client;

  @TempDir Path work;
  private TestWorkflowEnvironment env;
  private DeploymentController controller;
  private HealthEndpoint healthz;
  private String db;
  private String evidenceDb;
  private EvidenceStore evidence;

  private PostgresServer old() {
    return pg.server(0);
  }

  private PostgresServer cnpg() {
    return pg.server(1);
  }

  @BeforeEach
  void setUp() throws Exception {
    int n = NEXT.incrementAndGet();
    db = "gitea_rb_" + n;
    evidenceDb = "signalbox_rb_" + n;
    old().createDatabase(db);
    old().executeResource(db, "/datasets/shapes.sql");
    cnpg().createDatabase(db);
    old().createDatabase(evidenceDb);

    client.apps().deployments().inNamespace("gitea").withName("gitea").delete();
    client.secrets().inNamespace("gitea").withName("gitea-db").delete();
    client.secrets().inNamespace("gitea").withName("gitea-postgresql").delete();
    client
        .apps()
        .deployments()
        .inNamespace("gitea")
        .resource(giteaDeployment(3, "gitea/gitea:1.22"))
        .create();
    client
        .secrets()
        .inNamespace("gitea")
        .resource(secret("gitea", "gitea-db", Map.of("host", OLD_HOST)))
        .create();
    client
        .secrets()
        .inNamespace("gitea")
        .resource(secret("gitea", "gitea-postgresql", Map.of("password", old().password())))
        .create();
    client
        .genericKubernetesResources(CNPG_CLUSTER)
        .inNamespace("databases")
        .resource(cnpgCluster(2, "Cluster in healthy state", 2))
        .createOr(r -> r.update());
    controller = DeploymentController.start(client, "gitea", "gitea");
    healthz = HealthEndpoint.start("/api/healthz");

    SecretResolver secrets =
        new SecretResolver(client, name -> name.equals("CNPG_PASSWORD") ? cnpg().password() : null);
    PgTools tools = new PgTools(new CommandRunner(), old().binDir(), secrets::resolve);
    PGSimpleDataSource ds = EvidenceDatabase.migrated(old(), evidenceDb);
    evidence = new EvidenceStore(ds);

    env = TestWorkflowEnvironment.newInstance();
    var worker = env.newWorker("signalbox");
    worker.registerWorkflowImplementationTypes(
        GiteaDbMigrationWorkflowImpl.class,
        PostgresCopyWorkflowImpl.class,
        RollbackWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new InputActivitiesImpl(),
        new PostgresActivitiesImpl(secrets),
        new KubernetesActivitiesImpl(client),
        new CommandActivitiesImpl(new CommandRunner(), secrets::resolve),
        new HealthCheckActivitiesImpl(),
        new EvidenceActivitiesImpl(ds, work.resolve("evidence")),
        new CopyActivitiesImpl(tools, new PgConnector(secrets), work.resolve("dumps"), null),
        new RollbackEvidenceActivitiesImpl(ds, work.resolve("evidence")),
        new CarryOverActivitiesImpl(secrets));
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
    controller.close();
    healthz.close();
  }

  private Deployment deployment() {
    return controller.deployment();
  }

  private String giteaDbHost() {
    return new String(
        Base64.getDecoder()
            .decode(
                client
                    .secrets()
                    .inNamespace("gitea")
                    .withName("gitea-db")
                    .get()
                    .getData()
                    .get("host")),
        StandardCharsets.UTF_8);
  }

  private Path switchedFile() {
    return work.resolve("switched");
  }

  // ------------------------------------------------------------------ runs

  /** A GiteaDbMigration input; {@code withApp} false: no app, a database-level freeze. */
  private String migrationInput(boolean withApp) {
    return """
        {"requestedBy": "alice",
         "approvals": {"approvers": ["bob"], "timeout": "PT1H"},
         "source": {"host": "%s", "port": %d, "database": "%s", "user": "%s", "sslmode": "disable",
                    "password": {"secret": {"namespace": "gitea", "name": "gitea-postgresql", "key": "password"}}},
         "target": {"host": "%s", "port": %d, "database": "%s", "user": "%s", "sslmode": "disable",
                    "password": {"env": "CNPG_PASSWORD"}},
         %s
         "switch": {
           "patches": [{"apiVersion": "v1", "kind": "Secret", "namespace": "gitea", "name": "gitea-db",
                        "mergePatch": {"stringData": {"host": "%s"}}}],
           "command": {"argv": ["touch", "%s"], "rollbackArgv": ["rm", "-f", "%s"], "timeout": "PT30S"}},
         "healthCheck": {"url": "http://127.0.0.1:%d/api/healthz", "timeout": "PT2S", "interval": "PT0.2S"},
         "copy": {"jobs": 2, "dumpDir": "%s"},
         "verify": {"checksums": true}}
        """
        .formatted(
            old().host(),
            old().port(),
            db,
            old().superuser(),
            cnpg().host(),
            cnpg().port(),
            db,
            cnpg().superuser(),
            withApp
                ? "\"app\": {\"namespace\": \"gitea\", \"deployment\": \"gitea\", \"timeout\":"
                    + " \"PT30S\"},"
                : "",
            NEW_HOST,
            switchedFile(),
            switchedFile(),
            healthz.port(),
            work.resolve("dumps"));
  }

  private WorkflowStub startMigration(boolean withApp) throws Exception {
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                "GiteaDbMigration",
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId("gitea-db-migration-rb-" + NEXT.incrementAndGet())
                    .build());
    stub.start(JSON.readTree(migrationInput(withApp)));
    return stub;
  }

  /** A completed migration: Gitea on the new database. */
  private String migrate(boolean withApp) throws Exception {
    WorkflowStub stub = startMigration(withApp);
    atGate(stub, WAIT, "freeze");
    approve(stub, "freeze", "bob");
    atGate(stub, WAIT, "switch");
    approve(stub, "switch", "bob");
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.switched().path("patches").get(0).path("backupSecret").asText())
        .as("the migration records the patch's undo")
        .startsWith("gitea-db-signalbox-backup-");
    assertThat(giteaDbHost()).isEqualTo(NEW_HOST);
    return stub.getExecution().getWorkflowId();
  }

  private WorkflowStub startRollback(String migrationId, boolean carryOver) throws Exception {
    return startRollback(
        migrationId,
        carryOver,
        WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY);
  }

  private WorkflowStub startRollback(
      String migrationId, boolean carryOver, WorkflowIdReusePolicy reuse) throws Exception {
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                "Rollback",
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId("rollback-" + migrationId)
                    .setWorkflowIdReusePolicy(reuse)
                    .build());
    stub.start(
        JSON.readTree(
            """
            {"workflowId": "%s", "requestedBy": "carol", "carryOver": %s,
             "approvals": {"approvers": ["bob"], "timeout": "PT1H"}}
            """
                .formatted(migrationId, carryOver)));
    return stub;
  }

  /** Writes made on the new database after the switch: new rows in three tables, one update. */
  private void writeOnNewDatabase() {
    cnpg()
        .execute(
            db,
            "INSERT INTO public.accounts (name, email, created_at) VALUES ('after-switch',"
                + " 'after@example.org', 99)");
    cnpg().execute(db, "UPDATE public.accounts SET name = 'renamed' WHERE id = 1");
    // A chain of new rows: account → order → line item, carried parents first.
    cnpg()
        .execute(
            db,
            "INSERT INTO public.\"Order\" (\"user\", \"Total\") SELECT id, 5 FROM public.accounts"
                + " WHERE name = 'after-switch'");
    cnpg()
        .execute(
            db,
            "INSERT INTO \"Sales\".\"LineItems\" (\"OrderId\", note) SELECT max(\"Id\"), 'new line'"
                + " FROM public.\"Order\"");
  }

  private static JsonNode table(JsonNode leftBehind, String name) {
    for (JsonNode t : leftBehind.path("tables")) {
      if (t.path("table").asText().equals(name)) {
        return t;
      }
    }
    throw new AssertionError(name + " not in " + leftBehind);
  }

  // ------------------------------------------------------------------ scenarios

  @Test
  void carryOverBringsNewRowsBackAndGiteaReturnsToTheOldDatabase() throws Exception {
    String migration = migrate(true);
    writeOnNewDatabase();
    String oldName1 = old().queryValue(db, "SELECT name FROM public.accounts WHERE id = 1");

    WorkflowStub rollback = startRollback(migration, true);
    RunbookStatus gate = atGate(rollback, WAIT, "rollback");
    JsonNode left = gate.pendingGate().report().path("leftBehind");
    JsonNode accounts = table(left, "public.accounts");
    assertThat(accounts.path("onlyOnNew").asLong()).isEqualTo(1);
    assertThat(accounts.path("changed").asLong()).isEqualTo(1);
    assertThat(accounts.path("sampleChanged").get(0).asText()).isEqualTo("(1)");
    assertThat(table(left, "public.\"Order\"").path("onlyOnNew").asLong()).isEqualTo(1);
    assertThat(table(left, "\"Sales\".\"LineItems\"").path("onlyOnNew").asLong()).isEqualTo(1);
    // The insert's and the update's trigger rows: a table without a key cannot be carried.
    assertThat(table(left, "public.audit_log").path("carriable").asBoolean()).isFalse();
    assertThat(left.path("notCarriable").toString()).contains("public.audit_log");
    assertThat(deployment().getSpec().getReplicas())
        .as("nothing changed before the gate")
        .isEqualTo(3);
    approve(rollback, "rollback", "bob");

    RunbookResult result = rollback.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(giteaDbHost()).isEqualTo(OLD_HOST);
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(3);
    assertThat(switchedFile()).as("the recorded rollbackArgv ran").doesNotExist();
    // Carried: the new rows, parents before children; the changed row is a conflict, not written.
    assertThat(
            old()
                .queryValue(db, "SELECT count(*) FROM public.accounts WHERE name = 'after-switch'"))
        .isEqualTo("1");
    assertThat(
            old()
                .queryValue(
                    db, "SELECT count(*) FROM \"Sales\".\"LineItems\" WHERE note = 'new line'"))
        .isEqualTo("1");
    assertThat(old().queryValue(db, "SELECT name FROM public.accounts WHERE id = 1"))
        .isEqualTo(oldName1);
    JsonNode carried = result.verification().path("carried");
    assertThat(carried.path("inserted").asLong()).isEqualTo(3);
    assertThat(carried.path("conflicts").asLong()).isEqualTo(1);
    // The old database takes the next insert: its sequences moved past the carried rows.
    old().execute(db, "INSERT INTO public.accounts (name, created_at) VALUES ('next', 100)");
    old().execute(db, "INSERT INTO public.\"Order\" (\"user\", \"Total\") VALUES (2, 1)");

    // Linked both ways.
    assertThat(result.switched().path("rollbackOf").asText()).startsWith(migration + "/");
    JsonNode marked = evidence.findLatestByWorkflowId(migration).orElseThrow().json();
    assertThat(marked.path("rolledBack").path("workflowId").asText())
        .isEqualTo("rollback-" + migration);
    assertThat(marked.path("rolledBack").path("requestedBy").asText()).isEqualTo("carol");
    assertThat(evidence.findLatestByWorkflowId(migration).orElseThrow().markdown())
        .contains("## Rolled back");
    assertThat(
            Files.readString(
                EvidenceActivitiesImpl.markdownFile(
                    work.resolve("evidence"), migration, marked.path("runId").asText())))
        .contains("## Rolled back");

    assertThat(evidence.findLatestByWorkflowId("rollback-" + migration).orElseThrow().markdown())
        .contains("Rollback of `" + migration + "/");
    assertThat(evidence.findLatestByWorkflowId(migration).orElseThrow().markdown())
        .contains("## Switched")
        .contains("gitea-db-signalbox-backup-");

    // A second rollback of the same run is refused: by Temporal under the same id (the CLI's
    // reuse policy allows only a failed one again), and by the evidence even when the id is reused.
    assertThatThrownBy(() -> startRollback(migration, false))
        .isInstanceOf(WorkflowExecutionAlreadyStarted.class);
    ApplicationFailure again =
        failureOf(
            startRollback(
                migration, false, WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE));
    assertThat(again.getType()).isEqualTo("PreconditionFailed");
    assertThat(again.getOriginalMessage()).contains("already rolled back by rollback-" + migration);
  }

  @Test
  void databaseLevelFreezeCarriesOverThroughTheReadOnlyOldDatabaseAndLiftsIt() throws Exception {
    String migration = migrate(false);
    assertThat(old().queryValue(db, "SHOW default_transaction_read_only")).isEqualTo("on");
    writeOnNewDatabase();

    WorkflowStub rollback = startRollback(migration, true);
    atGate(rollback, WAIT, "rollback");
    approve(rollback, "rollback", "bob");
    RunbookResult result = rollback.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(giteaDbHost()).isEqualTo(OLD_HOST);
    assertThat(
            old()
                .queryValue(db, "SELECT count(*) FROM public.accounts WHERE name = 'after-switch'"))
        .isEqualTo("1");
    // The old database is writable again; the new one is frozen, so nothing lands there.
    assertThat(old().queryValue(db, "SHOW default_transaction_read_only")).isEqualTo("off");
    old().execute(db, "INSERT INTO public.accounts (name, created_at) VALUES ('next', 100)");
    assertThat(cnpg().queryValue(db, "SHOW default_transaction_read_only")).isEqualTo("on");
  }

  @Test
  void withoutCarryOverTheNewRowsAreReportedAndLeftBehind() throws Exception {
    String migration = migrate(true);
    writeOnNewDatabase();
    WorkflowStub rollback = startRollback(migration, false);
    RunbookStatus gate = atGate(rollback, WAIT, "rollback");
    assertThat(gate.pendingGate().prompt()).contains("Nothing is carried over");
    approve(rollback, "rollback", "bob");
    assertThat(rollback.getResult(RunbookResult.class).outcome()).isEqualTo("COMPLETED");
    assertThat(giteaDbHost()).isEqualTo(OLD_HOST);
    assertThat(
            old()
                .queryValue(db, "SELECT count(*) FROM public.accounts WHERE name = 'after-switch'"))
        .isEqualTo("0");
  }

  @Test
  void failingHealthCheckPutsGiteaBackOnTheNewDatabaseAndASecondStartSucceeds() throws Exception {
    String migration = migrate(true);
    healthz.status(503);
    WorkflowStub first = startRollback(migration, false);
    atGate(first, WAIT, "rollback");
    approve(first, "rollback", "bob");
    ApplicationFailure failed = failureOf(first);
    assertThat(failed.getType()).isEqualTo("HealthCheckFailed");
    // Where it was before the rollback: on the new database, running, switched.
    assertThat(giteaDbHost()).isEqualTo(NEW_HOST);
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(3);
    assertThat(switchedFile()).exists();
    RunbookResult details = failed.getDetails().get(RunbookResult.class);
    assertThat(details.outcome()).isEqualTo("ROLLED_BACK");
    assertThat(details.steps())
        .anyMatch(s -> s.name().equals("undo:repoint:Secret/gitea/gitea-db"));
    assertThat(evidence.findLatestByWorkflowId(migration).orElseThrow().json().has("rolledBack"))
        .isFalse();

    healthz.status(200);
    WorkflowStub second = startRollback(migration, false);
    atGate(second, WAIT, "rollback");
    approve(second, "rollback", "bob");
    assertThat(second.getResult(RunbookResult.class).outcome()).isEqualTo("COMPLETED");
    assertThat(giteaDbHost()).isEqualTo(OLD_HOST);
    assertThat(switchedFile()).doesNotExist();
  }

  @Test
  void refusesAnUnknownIdAndARunThatDidNotComplete() throws Exception {
    ApplicationFailure unknown = failureOf(startRollback("no-such-migration", false));
    assertThat(unknown.getType()).isEqualTo("PreconditionFailed");
    assertThat(unknown.getOriginalMessage()).contains("No evidence of a run no-such-migration");

    WorkflowStub rejected = startMigration(true);
    atGate(rejected, WAIT, "freeze");
    rejected.signal("reject", new Signals.Reject("freeze", "bob", "not today"));
    failureOf(rejected);
    String id = rejected.getExecution().getWorkflowId();
    ApplicationFailure notCompleted = failureOf(startRollback(id, false));
    assertThat(notCompleted.getType()).isEqualTo("PreconditionFailed");
    assertThat(notCompleted.getOriginalMessage()).contains("ended FAILED");
    assertThat(giteaDbHost()).isEqualTo(OLD_HOST);
  }
}
