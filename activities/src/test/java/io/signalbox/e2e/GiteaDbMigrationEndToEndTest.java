package io.signalbox.e2e;

import static io.signalbox.testing.DatabaseContent.content;
import static io.signalbox.testing.GiteaClusterFixtures.CNPG_CLUSTER;
import static io.signalbox.testing.GiteaClusterFixtures.cnpgCluster;
import static io.signalbox.testing.GiteaClusterFixtures.giteaDeployment;
import static io.signalbox.testing.GiteaClusterFixtures.secret;
import static io.signalbox.workflows.testing.RunbookStubs.approve;
import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.signalbox.activities.command.CommandActivitiesImpl;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.copy.DumpRoots;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.health.HealthCheckActivitiesImpl;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.activities.kubernetes.KubernetesActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.DelegatingCopy;
import io.signalbox.testing.DeploymentController;
import io.signalbox.testing.EvidenceDatabase;
import io.signalbox.testing.HealthEndpoint;
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
import io.temporal.worker.WorkerOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
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
  private static final Duration E2E_WAIT = Duration.ofSeconds(90);
  private static final String OLD_HOST = "gitea-postgresql.gitea.svc:5432";

  KubernetesClient client;

  @TempDir Path work;
  private TestWorkflowEnvironment env;
  private DeploymentController controller;
  private HealthEndpoint healthz;
  private String source;
  private String target;
  private String evidenceDb;
  private CopyActivities copy;
  private CopyActivities copyOverride;

  /** The real copy activities of a second worker, host {@code signalbox-host-b}. */
  private CopyActivities onHostB;

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
    controller = DeploymentController.start(client, "gitea", "gitea");
    healthz = HealthEndpoint.start("/api/healthz");

    SecretResolver secrets =
        new SecretResolver(client, name -> name.equals("CNPG_PASSWORD") ? cnpg().password() : null);
    PgTools tools = new PgTools(new CommandRunner(), old().binDir(), secrets::resolve);
    copy =
        new CopyActivitiesImpl(
            tools, new PgConnector(secrets), work.resolve("dumps"), null /* shared dir */);
    PGSimpleDataSource ds = EvidenceDatabase.migrated(old(), evidenceDb);

    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder().build());
    // A cancel reaches an activity with a heartbeat; the SDK throttles heartbeats to 0.8 × the
    // heartbeat timeout (48 s) by default. A shorter throttle keeps the cancel scenario quick; it
    // changes when the activity hears of the cancel, not what it does then.
    WorkerOptions quickHeartbeats =
        WorkerOptions.newBuilder().setMaxHeartbeatThrottleInterval(Duration.ofSeconds(1)).build();
    Worker worker = env.newWorker("signalbox", quickHeartbeats);
    worker.registerWorkflowImplementationTypes(
        GiteaDbMigrationWorkflowImpl.class, PostgresCopyWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new InputActivitiesImpl(),
        new PostgresActivitiesImpl(secrets),
        new KubernetesActivitiesImpl(client),
        new CommandActivitiesImpl(new CommandRunner(), secrets::resolve),
        new HealthCheckActivitiesImpl(),
        new EvidenceActivitiesImpl(ds, work.resolve("evidence")),
        new DelegatingCopy(() -> copyOverride != null ? copyOverride : copy));
    // Another worker with its own dump directory and host task queue, e.g. the worker restarted
    // under a new host name. Its configuration allows the same dump roots as the first worker's
    // (the input's copy.dumpDir is valid on every worker), while its default directory is its own.
    onHostB =
        new CopyActivitiesImpl(
            tools,
            new PgConnector(secrets),
            work.resolve("dumps-b"),
            DumpRoots.of(work.resolve("dumps"), work.resolve("dumps-b")),
            "signalbox-host-b");
    env.newWorker("signalbox-host-b", quickHeartbeats).registerActivitiesImplementations(onHostB);
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
    controller.close();
    healthz.close();
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

  // ------------------------------------------------------------------ the run

  private String input(String extra) {
    return input(target, extra);
  }

  private String input(String targetDb, String extra) {
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
         "copy": {"jobs": 2, "dumpDir": "%s", "hostTimeout": "PT5S"},
         "verify": {"checksums": true}%s}
        """
        .formatted(
            old().host(),
            old().port(),
            source,
            old().superuser(),
            cnpg().host(),
            cnpg().port(),
            targetDb,
            cnpg().superuser(),
            switchedFile(),
            switchedFile(),
            healthz.port(),
            work.resolve("dumps"),
            extra);
  }

  private Path switchedFile() {
    return work.resolve("switched");
  }

  private WorkflowStub start(String extra) throws Exception {
    return start(target, extra);
  }

  private WorkflowStub start(String targetDb, String extra) throws Exception {
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                "GiteaDbMigration",
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId("gitea-db-migration-e2e-" + NEXT.incrementAndGet())
                    .build());
    stub.start(JSON.readTree(input(targetDb, extra)));
    return stub;
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
    approve(stub, "freeze", "bob");

    RunbookStatus sw = atGate(stub, E2E_WAIT, "switch");
    assertThat(deployment().getSpec().getReplicas()).as("frozen: scaled to 0").isZero();
    assertThat(sw.pendingGate().report().path("matches").asBoolean()).isTrue();
    approve(stub, "switch", "bob");

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
    approve(stub, "freeze", "bob");
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
    approve(stub, "freeze", "bob");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("VerificationFailed");
    assertThat(f.getOriginalMessage()).contains("public.\"user\": row count 3 != 2");
    assertRolledBack(before);
  }

  @Test
  void aFailedHealthCheckUndoesTheSwitch() throws Exception {
    Map<String, String> before = content(old(), source);
    healthz.status(503);
    WorkflowStub stub = start("");
    atGate(stub, E2E_WAIT, "freeze");
    approve(stub, "freeze", "bob");
    atGate(stub, E2E_WAIT, "switch");
    approve(stub, "switch", "bob");
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("HealthCheckFailed");
    assertThat(f.getOriginalMessage()).contains("HTTP 503");
    assertRolledBack(before);
  }

  /**
   * Cancel while the real pg_restore runs: the run reports CANCELLED only after pg_restore (and
   * every pg_dump) of this test has exited, and Gitea is back on the old database. The restore is
   * held mid-way by a transaction on the target that drops schema {@code public} without
   * committing: pg_restore's first CREATE in {@code public} waits for that lock. Three runs, each
   * into a fresh target database.
   */
  @Test
  void cancelDuringTheRestoreEndsOnlyAfterPgRestoreHasExited() throws Exception {
    Map<String, String> before = content(old(), source);
    for (int i = 1; i <= 3; i++) {
      String into = target + "_cancel_" + i;
      cnpg().createDatabase(into);
      try (Connection lock = cnpg().connect(into)) {
        lock.setAutoCommit(false);
        try (Statement st = lock.createStatement()) {
          st.execute("DROP SCHEMA public CASCADE"); // not committed: only the lock matters
        }
        WorkflowStub stub = start(into, "");
        atGate(stub, E2E_WAIT, "freeze");
        approve(stub, "freeze", "bob");
        awaitSessionWaitingOnALock(cnpg(), into, "signalbox-restore");
        assertThat(pgTools()).as("pg_restore runs").anyMatch(c -> c.contains("pg_restore"));
        assertThat(deployment().getSpec().getReplicas()).isZero();

        stub.cancel();
        WorkflowFailedException e =
            catchThrowableOfType(
                WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
        List<String> alive = pgTools(); // right when the run reports its end
        assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
        assertThat(alive).as("pg tools of this test alive when the run ended, run " + i).isEmpty();
        lock.rollback();
      }
      assertRolledBack(before);
    }
  }

  /**
   * Cancel while the copy's real pg_dump runs: held by a transaction on the source that locks a
   * table (pg_dump's own LOCK TABLE … IN ACCESS SHARE MODE waits for it, and so do the snapshot's
   * counts). The run reports CANCELLED only after pg_dump has exited.
   */
  @Test
  void cancelDuringTheDumpEndsOnlyAfterPgDumpHasExited() throws Exception {
    Map<String, String> before = content(old(), source);
    WorkflowStub stub = start("");
    atGate(stub, E2E_WAIT, "freeze"); // the safety backup is done
    try (Connection lock = old().connect(source)) {
      lock.setAutoCommit(false);
      try (Statement st = lock.createStatement()) {
        st.execute("LOCK TABLE public.accounts IN ACCESS EXCLUSIVE MODE");
      }
      approve(stub, "freeze", "bob");
      awaitSessionWaitingOnALock(old(), source, "signalbox-dump");
      assertThat(pgTools()).as("pg_dump runs").anyMatch(c -> c.contains("pg_dump"));

      stub.cancel();
      WorkflowFailedException e =
          catchThrowableOfType(
              WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
      List<String> alive = pgTools(); // right when the run reports its end
      assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
      assertThat(alive).as("pg tools of this test alive when the run ended").isEmpty();
      lock.rollback();
    }
    assertRolledBack(before);
  }

  /** Waits until a session of {@code db} whose application name starts so waits for a lock. */
  private void awaitSessionWaitingOnALock(PostgresServer server, String db, String application)
      throws InterruptedException {
    long deadline = System.nanoTime() + E2E_WAIT.toNanos();
    while (!"t"
        .equals(
            server.queryValue(
                "postgres",
                "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = '"
                    + db
                    + "' AND application_name LIKE '"
                    + application
                    + "%' AND wait_event_type = 'Lock'"))) {
      assertThat(System.nanoTime()).as(application + " waits on the lock").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** Command lines of the pg_dump / pg_restore processes of this test (by its dump directory). */
  private List<String> pgTools() {
    String dumps = work.toString();
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .map(p -> p.info().commandLine().orElse(""))
        .filter(c -> c.contains(dumps) && (c.contains("pg_restore") || c.contains("pg_dump")))
        .toList();
  }

  /**
   * The worker that wrote the dump is gone before the restore (a pod recreated under a new name):
   * after {@code copy.hostTimeout} the copy is dumped again on any worker, restored and verified on
   * the new dump's worker, and the migration completes with an exact copy.
   */
  @Test
  void aLostDumpHostIsReplacedByAFreshDumpAndTheMigrationCompletes() throws Exception {
    Map<String, String> before = content(old(), source);
    copyOverride =
        new Tampering(() -> {}) {
          @Override
          public DumpResult dump(DumpRequest request) {
            if (request.dumpKey() != null && request.dumpKey().contains("-redo-")) {
              return onHostB.dump(request); // the redo: any worker, here the one on host b
            }
            DumpResult d = copy.dump(request);
            // Written by a worker whose queue nobody serves any more.
            return new DumpResult(
                d.dumpPath(),
                "signalbox-host-gone",
                d.snapshotId(),
                d.snapshotTime(),
                d.tables(),
                d.rows(),
                d.dumpBytes(),
                d.serverVersion(),
                d.toolVersion(),
                d.durationMillis());
          }
        };
    WorkflowStub stub = start(", \"safetyBackup\": false"); // copy.hostTimeout PT5S
    atGate(stub, E2E_WAIT, "freeze");
    approve(stub, "freeze", "bob");
    atGate(stub, E2E_WAIT, "switch");
    WorkflowStub child =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                stub.getExecution().getWorkflowId() + "-copy",
                java.util.Optional.empty(),
                java.util.Optional.empty());
    RunbookStatus copyStatus = child.query("status", RunbookStatus.class);
    assertThat(copyStatus.steps())
        .extracting(st -> st.name() + ":" + st.state())
        .containsExactly(
            "preflight:DONE",
            "dump:DONE",
            "restore:FAILED",
            "redo-copy:DONE",
            "restore:DONE",
            "verify:DONE");
    assertThat(copyStatus.steps().get(3).detail())
        .contains("signalbox-host-gone")
        .contains("now on signalbox-host-b");
    approve(stub, "switch", "bob");
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(content(cnpg(), target)).isEqualTo(before);
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

  /** The real copy, with something done to the target right after the real restore. */
  private class Tampering extends DelegatingCopy {
    private final Runnable afterRestore;

    Tampering(Runnable afterRestore) {
      super(() -> copy);
      this.afterRestore = afterRestore;
    }

    @Override
    public RestoreResult restore(RestoreRequest request) {
      RestoreResult r = copy.restore(request);
      afterRestore.run();
      return r;
    }
  }
}
