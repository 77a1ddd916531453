package io.signalbox.e2e;

import static io.signalbox.testing.DatabaseContent.content;
import static io.signalbox.workflows.testing.RunbookStubs.approve;
import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static io.signalbox.workflows.testing.RunbookStubs.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.signalbox.activities.backup.BackupActivitiesImpl;
import io.signalbox.activities.command.CommandActivitiesImpl;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.evidence.BackupHistory;
import io.signalbox.activities.evidence.BackupHistoryActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.health.HealthCheckActivitiesImpl;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.activities.kubernetes.KubernetesActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.BackupEvidenceFixtures;
import io.signalbox.testing.DeploymentController;
import io.signalbox.testing.EvidenceDatabase;
import io.signalbox.testing.HealthEndpoint;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.backup.BackupVerificationWorkflowImpl;
import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.core.ApprovalRecord;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookStatus;
import io.signalbox.workflows.core.Signals;
import io.signalbox.workflows.core.StepRecord;
import io.signalbox.workflows.statehub.StateHubCutoverWorkflowImpl;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * StateHubCutover end to end: started by type name with JSON as the UI does, approved by signal, on
 * the Temporal test server, every activity real — the workstation's PostgreSQL (source) and the
 * CloudNativePG cluster's (target, with the schema the app's Alembic migrations made), real
 * pg_dump/pg_restore, fabric8's mock API server holding the cluster-side Deployment and the
 * ConfigMap with the API base URL, a real HTTP health endpoint, evidence in a real database.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StateHubCutoverEndToEndTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final Duration E2E_WAIT = Duration.ofSeconds(90);
  private static final String WORKSTATION_URL = "http://workstation.lan:8000";
  private static final String CLUSTER_URL = "http://state-hub.state-hub.svc:8000";

  KubernetesClient client;

  @TempDir Path work;
  private TestWorkflowEnvironment env;
  private DeploymentController controller;
  private HealthEndpoint healthz;
  private String db;
  private String evidenceDb;
  private EvidenceActivitiesImpl evidence;
  private String workflowId;

  private PostgresServer workstation() {
    return pg.server(0);
  }

  private PostgresServer cluster() {
    return pg.server(1);
  }

  @BeforeEach
  void setUp() throws Exception {
    int n = NEXT.incrementAndGet();
    db = "state_hub_" + n;
    evidenceDb = "signalbox_sh_" + n;
    workstation().createDatabase(db);
    workstation().executeResource(db, "/datasets/state_hub_schema.sql");
    workstation().executeResource(db, "/datasets/state_hub_data.sql");
    cluster().createDatabase(db);
    workstation().createDatabase(evidenceDb);

    client.apps().deployments().inNamespace("state-hub").withName("state-hub").delete();
    client.configMaps().inNamespace("state-hub").withName("state-hub-config").delete();
    client
        .apps()
        .deployments()
        .inNamespace("state-hub")
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("state-hub")
                .withNamespace("state-hub")
                .endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .withNewSelector()
                .addToMatchLabels("app", "state-hub")
                .endSelector()
                .endSpec()
                .build())
        .create();
    client
        .configMaps()
        .inNamespace("state-hub")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("state-hub-config")
                .withNamespace("state-hub")
                .endMetadata()
                .addToData("API_BASE_URL", WORKSTATION_URL)
                .build())
        .create();
    controller = DeploymentController.start(client, "state-hub", "state-hub");
    healthz = HealthEndpoint.start("/healthz");

    SecretResolver secrets =
        new SecretResolver(
            client,
            name ->
                switch (name) {
                  case "CNPG_PASSWORD" -> cluster().password();
                  case "WORKSTATION_PASSWORD" -> workstation().password();
                  default -> null;
                });
    CommandRunner runner = new CommandRunner();
    PgTools tools = new PgTools(runner, workstation().binDir(), secrets::resolve);
    PgConnector connector = new PgConnector(secrets);
    Path dumps = work.resolve("dumps");
    PGSimpleDataSource ds = EvidenceDatabase.migrated(workstation(), evidenceDb);
    evidence = new EvidenceActivitiesImpl(ds, work.resolve("evidence"));

    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder().build());
    Worker worker = env.newWorker("signalbox");
    worker.registerWorkflowImplementationTypes(
        StateHubCutoverWorkflowImpl.class,
        PostgresCopyWorkflowImpl.class,
        BackupVerificationWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new InputActivitiesImpl(),
        new PostgresActivitiesImpl(secrets),
        new KubernetesActivitiesImpl(client),
        new CommandActivitiesImpl(runner, secrets::resolve),
        new HealthCheckActivitiesImpl(),
        evidence,
        new CopyActivitiesImpl(tools, connector, dumps, null /* shared dir */),
        new BackupActivitiesImpl(tools, connector, runner, dumps, null),
        new BackupHistoryActivitiesImpl(new BackupHistory(ds)));
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

  private String apiBaseUrl() {
    return client
        .configMaps()
        .inNamespace("state-hub")
        .withName("state-hub-config")
        .get()
        .getData()
        .get("API_BASE_URL");
  }

  // ------------------------------------------------------------------ the run

  /** A successful verification of the source recorded {@code age} ago. */
  private void verifiedBackup(Duration age) {
    evidence.record(
        BackupEvidenceFixtures.verification(
            "bv-" + db,
            db + "@" + workstation().host(),
            "COMPLETED",
            Instant.now().minus(age),
            3.0,
            "PT1H",
            false));
  }

  private String input(String extra) {
    return """
        {"requestedBy": "alice",
         "approvals": {"approvers": ["bob", "carol"], "timeout": "PT1H"},
         "source": {"host": "%s", "port": %d, "database": "%s", "user": "%s", "sslmode": "disable",
                    "password": {"env": "WORKSTATION_PASSWORD"}},
         "target": {"host": "%s", "port": %d, "database": "%s", "user": "%s", "sslmode": "disable",
                    "password": {"env": "CNPG_PASSWORD"}},
         "sourceFreeze": {"mode": "read-only"},
         "app": {"namespace": "state-hub", "deployment": "state-hub", "replicas": 2, "timeout": "PT30S"},
         "switch": {"patches": [{"apiVersion": "v1", "kind": "ConfigMap", "namespace": "state-hub",
                                 "name": "state-hub-config",
                                 "mergePatch": {"data": {"API_BASE_URL": "%s"}}}]},
         "healthCheck": {"url": "http://127.0.0.1:%d/healthz", "timeout": "PT5S", "interval": "PT0.2S"},
         "backupScratch": {"host": "%s", "port": %d, "database": "postgres", "user": "%s",
                           "sslmode": "disable", "password": {"env": "CNPG_PASSWORD"}},
         "copy": {"jobs": 2, "dumpDir": "%s"}%s}
        """
        .formatted(
            workstation().host(),
            workstation().port(),
            db,
            workstation().superuser(),
            cluster().host(),
            cluster().port(),
            db,
            cluster().superuser(),
            CLUSTER_URL,
            healthz.port(),
            cluster().host(),
            cluster().port(),
            cluster().superuser(),
            work.resolve("dumps"),
            extra);
  }

  private WorkflowStub start(String extra) throws Exception {
    workflowId = "state-hub-cutover-e2e-" + NEXT.incrementAndGet();
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                "StateHubCutover",
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId(workflowId)
                    .build());
    stub.start(JSON.readTree(input(extra)));
    return stub;
  }

  private void insertIntoSource(int seq) {
    // A new session each time: the freeze applies to new transactions.
    workstation()
        .execute(
            db,
            "INSERT INTO public.entries (topic_id, body, seq) VALUES (3, '{\"late\": true}', "
                + seq
                + ")");
  }

  private boolean sourceWritable() {
    try {
      insertIntoSource(-1);
      workstation().execute(db, "DELETE FROM public.entries WHERE seq = -1");
      return true;
    } catch (RuntimeException e) {
      assertThat(e).hasStackTraceContaining("read-only");
      return false;
    }
  }

  private void refusedThenApproved(WorkflowStub stub, String gate) throws Exception {
    approve(stub, gate, "mallory"); // not listed
    approve(stub, gate, "alice"); // the requester
    RunbookStatus s =
        io.signalbox.workflows.testing.RunbookStubs.await(
            stub,
            E2E_WAIT,
            st ->
                st.approvals().stream()
                        .filter(a -> a.gate().equals(gate))
                        .filter(a -> a.decision().equals(ApprovalRecord.REFUSED))
                        .count()
                    == 2);
    assertThat(s.pendingGate().gate()).as("refusals leave the gate open").isEqualTo(gate);
    assertThat(s.approvals())
        .filteredOn(a -> a.gate().equals(gate) && a.decision().equals(ApprovalRecord.REFUSED))
        .extracting(ApprovalRecord::by)
        .containsExactlyInAnyOrder("mallory", "alice");
    approve(stub, gate, "bob");
  }

  private static StepRecord step(RunbookResult r, String name) {
    return r.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  // ------------------------------------------------------------------ scenarios

  @Test
  void cutoverFromJsonWithBothGatesLeavesTheSourceFrozenAsTheFallback() throws Exception {
    verifiedBackup(Duration.ofDays(2));
    // The cluster-side app's Alembic migrations made the schema in the target.
    cluster().executeResource(db, "/datasets/state_hub_schema.sql");
    // The rehearsal is taken while the app keeps writing to the workstation.
    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger written = new AtomicInteger();
    Thread writer =
        new Thread(
            () -> {
              while (writing.get()) {
                insertIntoSource(10_000 + written.incrementAndGet());
              }
            });
    WorkflowStub stub = start("");
    writer.start();
    RunbookStatus freeze = atGate(stub, E2E_WAIT, "freeze");
    writing.set(false);
    writer.join();
    assertThat(written.get()).as("rows were written during the rehearsal").isPositive();
    JsonNode report = freeze.pendingGate().report();
    assertThat(report.path("rehearsal").path("matches").asBoolean()).isTrue();
    assertThat(report.path("load").asText()).isEqualTo("DATA_ONLY");
    assertThat(report.path("timings").path("totalSeconds").asDouble()).isPositive();
    assertThat(report.has("expectedWriteDowntimeSeconds")).isTrue();
    assertThat(report.path("timings").has("restoreSeconds")).isTrue();
    assertThat(sourceWritable()).as("live until the freeze").isTrue();
    // Rows written between the rehearsal and the freeze.
    insertIntoSource(99_001);
    insertIntoSource(99_002);

    refusedThenApproved(stub, "freeze");

    RunbookStatus cutover = atGate(stub, E2E_WAIT, "cutover");
    assertThat(sourceWritable()).as("frozen").isFalse();
    assertThat(cutover.pendingGate().report().path("matches").asBoolean()).isTrue();
    assertThat(content(cluster(), db)).isEqualTo(content(workstation(), db));
    assertThat(deployment().getSpec().getReplicas()).isZero();
    assertThat(apiBaseUrl()).isEqualTo(WORKSTATION_URL);

    refusedThenApproved(stub, "cutover");

    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    Map<String, String> source = content(workstation(), db);
    assertThat(content(cluster(), db)).isEqualTo(source);
    assertThat(
            cluster()
                .queryValue(db, "SELECT count(*) FROM public.entries WHERE seq IN (99001, 99002)"))
        .isEqualTo("2");
    assertThat(sourceWritable()).as("the source stays frozen as the fallback").isFalse();
    assertThat(apiBaseUrl()).isEqualTo(CLUSTER_URL);
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(2);
    // The next insert on the new primary does not collide: sequences came along.
    cluster()
        .execute(db, "INSERT INTO public.entries (topic_id, body, seq) VALUES (1, '{}', 123456)");
    assertThat(step(result, "backup-precondition").detail()).contains("newest successful");
    assertThat(result.verification().path("rehearsal").path("matches").asBoolean()).isTrue();
    assertThat(result.verification().path("copy").asText()).isEqualTo("final");
    assertThat(result.verification().path("matches").asBoolean()).isTrue();
    assertThat(result.verification().path("tables")).hasSize(3);
    assertThat(result.verification().path("finalTimings").has("totalSeconds")).isTrue();
    assertThat(result.verification().has("writeDowntimeSeconds")).isTrue();
    assertThat(result.switched().path("freeze").path("mode").asText()).isEqualTo("read-only");
    assertThat(result.switched().path("patches")).hasSize(1);
    assertThat(result.switched().path("app").path("replicas").asInt()).isEqualTo(2);
    assertThat(result.approvals())
        .filteredOn(a -> a.decision().equals(ApprovalRecord.REFUSED))
        .hasSize(4);
    assertThat(result.evidenceId()).isNotNull();
    String history = env.getWorkflowClient().fetchHistory(workflowId).toJson(true);
    Path recorded = Path.of(System.getProperty("signalbox.recordHistory", ""));
    if (!recorded.toString().isEmpty()) {
      Files.writeString(recorded, history);
    }
  }

  @Test
  void aTargetSchemaWithAnExtraColumnIsRefusedBeforeTheFreeze() throws Exception {
    verifiedBackup(Duration.ofDays(1));
    cluster().executeResource(db, "/datasets/state_hub_schema.sql");
    cluster().execute(db, "ALTER TABLE public.topics ADD COLUMN colour text");
    WorkflowStub stub = start("");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("PreconditionFailed");
    assertThat(f.getOriginalMessage()).contains("column public.topics.colour");
    assertThat(sourceWritable()).isTrue();
    assertThat(cluster().queryValue(db, "SELECT count(*) FROM public.topics")).isEqualTo("0");
  }

  @Test
  void aStaleBackupRunsABackupVerificationFirstAndRejectionAtCutoverLiftsTheFreeze()
      throws Exception {
    verifiedBackup(Duration.ofDays(45));
    cluster().executeResource(db, "/datasets/state_hub_schema.sql");
    WorkflowStub stub = start(", \"backupFreshness\": \"P30D\"");
    atGate(stub, E2E_WAIT, "freeze");
    RunbookStatus s = status(stub);
    assertThat(
            s.steps().stream()
                .filter(st -> st.name().equals("backup-precondition"))
                .findFirst()
                .orElseThrow()
                .detail())
        .contains("BackupVerification " + workflowId + "-backup-verification passed");
    approve(stub, "freeze", "carol");
    atGate(stub, E2E_WAIT, "cutover");
    assertThat(sourceWritable()).isFalse();
    stub.signal("reject", new Signals.Reject("cutover", "bob", "not today"));
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("GateRejected");
    assertThat(sourceWritable()).as("the freeze is lifted").isTrue();
    assertThat(apiBaseUrl()).isEqualTo(WORKSTATION_URL);
    assertThat(deployment().getSpec().getReplicas()).isZero();
  }

  @Test
  void aFreshBackupRunsNoVerificationAndTheCutoverGateTimesOutIntoARollback() throws Exception {
    verifiedBackup(Duration.ofDays(29));
    WorkflowStub stub = start("");
    atGate(stub, E2E_WAIT, "freeze");
    approve(stub, "freeze", "bob");
    atGate(stub, E2E_WAIT, "cutover");
    assertThat(sourceWritable()).isFalse();
    // Nobody decides: waiting for the result lets the test server skip to the gate's timeout.
    assertThatThrownBy(() -> stub.getResult(RunbookResult.class))
        .hasStackTraceContaining("GateTimedOut");
    assertThat(sourceWritable()).isTrue();
    RunbookResult r = failureOf(stub).getDetails().get(RunbookResult.class);
    assertThat(step(r, "backup-precondition").detail()).contains("newest successful");
    assertThat(r.approvals()).anyMatch(a -> a.decision().equals(ApprovalRecord.TIMED_OUT));
    assertThat(apiBaseUrl()).isEqualTo(WORKSTATION_URL);
  }
}
