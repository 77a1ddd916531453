package io.signalbox.e2e;

import static io.signalbox.testing.GiteaClusterFixtures.cnpgCluster;
import static io.signalbox.testing.GiteaClusterFixtures.giteaDeployment;
import static io.signalbox.testing.GiteaClusterFixtures.secret;
import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.signalbox.activities.command.CommandActivitiesImpl;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceSchema;
import io.signalbox.activities.health.HealthCheckActivitiesImpl;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.activities.kubernetes.KubernetesActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookStatus;
import io.signalbox.workflows.core.Signals;
import io.signalbox.workflows.gitea.GiteaDbMigrationWorkflowImpl;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * GiteaDbMigration end to end: started by type name with JSON as the UI does, approved by signal,
 * on the Temporal test server, with every activity real — two PostgreSQL servers (the old database
 * and the CloudNativePG cluster's), real pg_dump/pg_restore, fabric8's mock API server holding
 * Gitea's Deployment, its database Secret and the CloudNativePG Cluster, a real HTTP health
 * endpoint, real commands, evidence in a real database.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class GiteaDbMigrationEndToEndTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final ResourceDefinitionContext CNPG_CLUSTER =
      new ResourceDefinitionContext.Builder()
          .withGroup("postgresql.cnpg.io")
          .withVersion("v1")
          .withKind("Cluster")
          .withPlural("clusters")
          .withNamespaced(true)
          .build();
  private static final Duration E2E_WAIT = Duration.ofSeconds(90);
  private static final String OLD_HOST = "gitea-postgresql.gitea.svc:5432";

  KubernetesClient client;

  @TempDir Path work;
  private TestWorkflowEnvironment env;
  private ScheduledExecutorService controller;
  private HttpServer healthz;
  private volatile int healthStatus = 200;
  private String source;
  private String target;
  private String evidenceDb;
  private CopyActivities copy;
  private CopyActivities copyOverride;

  private PostgresServer old() {
    return pg.server(0);
  }

  private PostgresServer cnpg() {
    return pg.server(1);
  }

  @BeforeEach
  void setUp() throws Exception {
    int n = NEXT.incrementAndGet();
    source = "gitea_" + n;
    target = "gitea_" + n;
    evidenceDb = "signalbox_" + n;
    old().createDatabase(source);
    old().executeResource(source, "/datasets/shapes.sql");
    cnpg().createDatabase(target);
    old().createDatabase(evidenceDb);

    kubernetesObjects();
    controller = Executors.newSingleThreadScheduledExecutor();
    controller.scheduleWithFixedDelay(this::playDeploymentController, 0, 50, TimeUnit.MILLISECONDS);

    healthz = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    healthz.createContext(
        "/api/healthz",
        exchange -> {
          exchange.sendResponseHeaders(healthStatus, -1);
          exchange.close();
        });
    healthz.start();

    SecretResolver secrets =
        new SecretResolver(client, name -> name.equals("CNPG_PASSWORD") ? cnpg().password() : null);
    PgTools tools = new PgTools(new CommandRunner(), old().binDir(), secrets::resolve);
    copy =
        new CopyActivitiesImpl(
            tools, new PgConnector(secrets), work.resolve("dumps"), null /* shared dir */);
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(old().jdbcUrl(evidenceDb));
    ds.setUser(old().superuser());
    ds.setPassword(old().password());
    EvidenceSchema.migrate(ds);

    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder().build());
    Worker worker = env.newWorker("signalbox");
    worker.registerWorkflowImplementationTypes(
        GiteaDbMigrationWorkflowImpl.class, PostgresCopyWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new InputActivitiesImpl(),
        new PostgresActivitiesImpl(secrets),
        new KubernetesActivitiesImpl(client),
        new CommandActivitiesImpl(new CommandRunner(), secrets::resolve),
        new HealthCheckActivitiesImpl(),
        new EvidenceActivitiesImpl(ds, work.resolve("evidence")),
        new DelegatingCopy());
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
    controller.shutdownNow();
    healthz.stop(0);
  }

  // ------------------------------------------------------------------ the cluster

  private void kubernetesObjects() {
    client.apps().deployments().inNamespace("gitea").withName("gitea").delete();
    client.secrets().inNamespace("gitea").withName("gitea-db").delete();
    client.secrets().inNamespace("gitea").withName("gitea-postgresql").delete();
    client
        .genericKubernetesResources(CNPG_CLUSTER)
        .inNamespace("databases")
        .withName("gitea-db")
        .delete();
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
    // The old database's password, as the Gitea chart keeps it: resolved through the API.
    client
        .secrets()
        .inNamespace("gitea")
        .resource(secret("gitea", "gitea-postgresql", Map.of("password", old().password())))
        .create();
    cluster(2, 2);
  }

  private void cluster(int instances, int ready) {
    client
        .genericKubernetesResources(CNPG_CLUSTER)
        .inNamespace("databases")
        .resource(
            cnpgCluster(
                instances,
                ready == instances ? "Cluster in healthy state" : "Creating a new replica",
                ready))
        .createOr(r -> r.update());
  }

  /** The Deployment controller the mock server does not run: status follows spec. */
  private void playDeploymentController() {
    try {
      Deployment d = deployment();
      if (d == null) {
        return;
      }
      int want = d.getSpec().getReplicas();
      if (d.getStatus() == null
          || d.getStatus().getReplicas() == null
          || d.getStatus().getReplicas() != want
          || !d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration())) {
        d.setStatus(
            new DeploymentStatusBuilder()
                .withReplicas(want)
                .withReadyReplicas(want)
                .withUpdatedReplicas(want)
                .withAvailableReplicas(want)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .build());
        client.apps().deployments().inNamespace("gitea").resource(d).updateStatus();
      }
    } catch (RuntimeException e) {
      // a concurrent update: the next tick tries again
    }
  }

  private Deployment deployment() {
    return client.apps().deployments().inNamespace("gitea").withName("gitea").get();
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

  // ------------------------------------------------------------------ the run

  private String input(String extra) {
    return """
        {"requestedBy": "alice",
         "approvals": {"approvers": ["bob"], "timeout": "PT1H"},
         "source": {"host": "%s", "port": %d, "database": "%s", "user": "%s", "sslmode": "disable",
                    "password": {"secret": {"namespace": "gitea", "name": "gitea-postgresql", "key": "password"}}},
         "target": {"host": "%s", "port": %d, "database": "%s", "user": "%s", "sslmode": "disable",
                    "password": {"env": "CNPG_PASSWORD"}},
         "targetCluster": {"namespace": "databases", "name": "gitea-db"},
         "app": {"namespace": "gitea", "deployment": "gitea", "timeout": "PT30S"},
         "switch": {
           "patches": [{"apiVersion": "v1", "kind": "Secret", "namespace": "gitea", "name": "gitea-db",
                        "mergePatch": {"stringData": {"host": "gitea-db-rw.databases.svc:5432"}}}],
           "command": {"argv": ["touch", "%s"], "rollbackArgv": ["rm", "-f", "%s"], "timeout": "PT30S"}},
         "healthCheck": {"url": "http://127.0.0.1:%d/api/healthz", "timeout": "PT2S", "interval": "PT0.2S"},
         "copy": {"jobs": 2, "dumpDir": "%s"},
         "verify": {"checksums": true}%s}
        """
        .formatted(
            old().host(),
            old().port(),
            source,
            old().superuser(),
            cnpg().host(),
            cnpg().port(),
            target,
            cnpg().superuser(),
            switchedFile(),
            switchedFile(),
            healthz.getAddress().getPort(),
            work.resolve("dumps"),
            extra);
  }

  private Path switchedFile() {
    return work.resolve("switched");
  }

  private WorkflowStub start(String extra) throws Exception {
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                "GiteaDbMigration",
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId("gitea-db-migration-e2e-" + NEXT.incrementAndGet())
                    .build());
    stub.start(JSON.readTree(input(extra)));
    return stub;
  }

  private static void approve(WorkflowStub stub, String gate) {
    stub.signal("approve", new Signals.Approve(gate, "bob", "checked", null));
  }

  /** Every table's rows, as text, sorted: an independent check of two databases. */
  private static Map<String, String> content(PostgresServer server, String db) {
    Map<String, String> out = new TreeMap<>();
    for (String table :
        server.queryColumn(
            db,
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON"
                + " n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN"
                + " ('pg_catalog', 'information_schema') ORDER BY 1")) {
      out.put(
          table,
          server.queryValue(
              db,
              "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '')"
                  + " FROM ONLY "
                  + table
                  + " t"));
    }
    return out;
  }

  private long evidenceRows(String outcome) {
    return Long.parseLong(
        old()
            .queryValue(
                evidenceDb,
                "SELECT count(*) FROM signalbox_evidence WHERE outcome = '" + outcome + "'"));
  }

  /** The app is back where it was, on the old database; nothing else changed. */
  private void assertRolledBack(Map<String, String> sourceBefore) {
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(3);
    assertThat(giteaDbHost()).isEqualTo(OLD_HOST);
    assertThat(switchedFile()).doesNotExist();
    assertThat(content(old(), source)).isEqualTo(sourceBefore);
  }

  // ------------------------------------------------------------------ scenarios

  @Test
  void approvedMigrationMovesTheDataAndSwitchesGitea() throws Exception {
    Map<String, String> before = content(old(), source);
    WorkflowStub stub = start("");
    RunbookStatus freeze = atGate(stub, E2E_WAIT, "freeze");
    assertThat(freeze.pendingGate().report().path("targetCluster").asText())
        .contains("databases/gitea-db");
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(3);
    approve(stub, "freeze");

    RunbookStatus sw = atGate(stub, E2E_WAIT, "switch");
    assertThat(deployment().getSpec().getReplicas()).as("frozen: scaled to 0").isZero();
    assertThat(sw.pendingGate().report().path("matches").asBoolean()).isTrue();
    approve(stub, "switch");

    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(content(cnpg(), target)).isEqualTo(before);
    assertThat(content(old(), source)).as("source unchanged").isEqualTo(before);
    // The next insert into a keyed table does not collide: sequences came along.
    cnpg().execute(target, "INSERT INTO public.accounts (name, created_at) VALUES ('new', 1)");
    assertThat(giteaDbHost()).isEqualTo("gitea-db-rw.databases.svc:5432");
    assertThat(deployment().getSpec().getReplicas()).isEqualTo(3);
    assertThat(switchedFile()).exists();
    assertThat(result.evidenceId()).isNotNull();
    assertThat(evidenceRows("COMPLETED")).isEqualTo(2); // this run and its PostgresCopy child
    assertThat(Files.list(work.resolve("evidence")).count()).isEqualTo(2);
  }

  @Test
  void rejectionAtFreezeChangesNothing() throws Exception {
    Map<String, String> before = content(old(), source);
    WorkflowStub stub = start("");
    atGate(stub, E2E_WAIT, "freeze");
    stub.signal("reject", new Signals.Reject("freeze", "bob", "not during the release"));
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("GateRejected");
    assertRolledBack(before);
    assertThat(content(cnpg(), target)).isEmpty();
    assertThat(evidenceRows("FAILED")).isEqualTo(1);
  }

  @Test
  void rejectionAtSwitchBringsGiteaBackOnTheOldDatabase() throws Exception {
    Map<String, String> before = content(old(), source);
    WorkflowStub stub = start("");
    atGate(stub, E2E_WAIT, "freeze");
    approve(stub, "freeze");
    atGate(stub, E2E_WAIT, "switch");
    stub.signal("reject", new Signals.Reject("switch", "bob", "not convinced"));
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("GateRejected");
    assertRolledBack(before);
    assertThat(evidenceRows("ROLLED_BACK")).isEqualTo(1);
  }

  @Test
  void aVerificationMismatchRollsBackAndNamesTheTable() throws Exception {
    Map<String, String> before = content(old(), source);
    copyOverride =
        new Tampering(
            () ->
                cnpg()
                    .execute(
                        target,
                        "DELETE FROM public.\"user\" WHERE ctid = (SELECT min(ctid) FROM public.\"user\")"));
    WorkflowStub stub = start("");
    atGate(stub, E2E_WAIT, "freeze");
    approve(stub, "freeze");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("VerificationFailed");
    assertThat(f.getOriginalMessage()).contains("public.\"user\": row count 3 != 2");
    assertRolledBack(before);
  }

  @Test
  void aFailedHealthCheckUndoesTheSwitch() throws Exception {
    Map<String, String> before = content(old(), source);
    healthStatus = 503;
    WorkflowStub stub = start("");
    atGate(stub, E2E_WAIT, "freeze");
    approve(stub, "freeze");
    atGate(stub, E2E_WAIT, "switch");
    approve(stub, "switch");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("HealthCheckFailed");
    assertThat(f.getOriginalMessage()).contains("HTTP 503");
    assertRolledBack(before);
  }

  @Test
  void cancelDuringTheCopyScalesGiteaBack() throws Exception {
    Map<String, String> before = content(old(), source);
    CountDownLatch restoring = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    copyOverride =
        new Tampering(() -> {}) {
          @Override
          public RestoreResult restore(RestoreRequest request) {
            restoring.countDown();
            try {
              release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return super.restore(request);
          }
        };
    WorkflowStub stub = start("");
    atGate(stub, E2E_WAIT, "freeze");
    approve(stub, "freeze");
    assertThat(restoring.await(60, TimeUnit.SECONDS)).isTrue();
    assertThat(deployment().getSpec().getReplicas()).isZero();
    stub.cancel();
    try {
      WorkflowFailedException e =
          catchThrowableOfType(
              WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
      assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    } finally {
      release.countDown();
    }
    assertRolledBack(before);
  }

  @Test
  void anUnhealthyClusterStopsTheRunBeforeTheFreeze() throws Exception {
    cluster(2, 1);
    WorkflowStub stub = start("");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("PreconditionFailed");
    assertThat(f.getOriginalMessage()).contains("databases/gitea-db is not healthy");
    assertThat(deployment().getMetadata().getGeneration()).as("never scaled").isEqualTo(1L);
    assertThat(work.resolve("dumps")).doesNotExist();
  }

  @Test
  void aNonEmptyTargetStopsTheRunBeforeTheFreeze() throws Exception {
    cnpg().execute(target, "CREATE TABLE leftover (id int)");
    WorkflowStub stub = start("");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("PreconditionFailed");
    assertThat(f.getOriginalMessage()).contains("not empty").contains("leftover");
    assertThat(deployment().getMetadata().getGeneration()).isEqualTo(1L);
  }

  // ------------------------------------------------------------------ fault injection

  /** The real copy activities, or a test's override of them. */
  private final class DelegatingCopy implements CopyActivities {
    private CopyActivities target() {
      return copyOverride != null ? copyOverride : copy;
    }

    @Override
    public ToolsReport checkTools(CheckToolsRequest request) {
      return target().checkTools(request);
    }

    @Override
    public DumpResult dump(DumpRequest request) {
      return target().dump(request);
    }

    @Override
    public RestoreResult restore(RestoreRequest request) {
      return target().restore(request);
    }

    @Override
    public VerificationReport verify(VerifyRequest request) {
      return target().verify(request);
    }
  }

  /** The real copy, with something done to the target right after the real restore. */
  private class Tampering implements CopyActivities {
    private final Runnable afterRestore;

    Tampering(Runnable afterRestore) {
      this.afterRestore = afterRestore;
    }

    @Override
    public ToolsReport checkTools(CheckToolsRequest request) {
      return copy.checkTools(request);
    }

    @Override
    public DumpResult dump(DumpRequest request) {
      return copy.dump(request);
    }

    @Override
    public RestoreResult restore(RestoreRequest request) {
      RestoreResult r = copy.restore(request);
      afterRestore.run();
      return r;
    }

    @Override
    public VerificationReport verify(VerifyRequest request) {
      return copy.verify(request);
    }
  }
}
