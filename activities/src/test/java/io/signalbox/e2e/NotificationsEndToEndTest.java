package io.signalbox.e2e;

import static io.signalbox.workflows.testing.RunbookStubs.approve;
import static io.signalbox.workflows.testing.RunbookStubs.atGate;
import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.signalbox.activities.command.CommandActivitiesImpl;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.health.HealthCheckActivitiesImpl;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.activities.kubernetes.KubernetesActivitiesImpl;
import io.signalbox.activities.notify.NotifyActivitiesImpl;
import io.signalbox.activities.notify.NotifySettings;
import io.signalbox.activities.notify.NotifySettings.Kind;
import io.signalbox.activities.notify.NotifySettings.Notifier;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.core.NotificationOutcome;
import io.signalbox.workflows.core.NotifyActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.SecretRef;
import io.signalbox.workflows.core.Signals;
import io.signalbox.workflows.gitea.GiteaDbMigrationWorkflowImpl;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Notifications from real GiteaDbMigration runs on the Temporal test server (real PostgreSQL, real
 * pg_dump/pg_restore, evidence files), delivered by the real {@link NotifyActivitiesImpl} over HTTP
 * to a receiver on 127.0.0.1 that plays a generic webhook, ntfy, Gotify and a Slack-compatible
 * incoming webhook.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class NotificationsEndToEndTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(90);

  // Secret values: none may appear in a delivered body, the log or the evidence.
  private static final String NTFY_TOKEN = "tk_ntfy_s3cr3t_7781";
  private static final String GOTIFY_TOKEN = "gotify_app_s3cr3t_4410";
  private static final String HOOK_TOKEN = "hook_bearer_s3cr3t_9902";
  private static final String SLACK_PATH = "/slack/T000/B000/XoXslackS3cr3t";

  KubernetesClient client;

  @TempDir Path work;
  private TestWorkflowEnvironment env;
  private HttpServer receiver;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> slowSeen = new ConcurrentHashMap<>();
  private ListAppender<ILoggingEvent> logs;
  private String source;
  private String target;
  private SecretResolver secrets;
  private final List<WorkerFactory> factories = new ArrayList<>();

  /** One request the receiver got. */
  record Received(String path, Map<String, String> headers, JsonNode body) {
    String header(String name) {
      return headers.get(name.toLowerCase());
    }

    String event() {
      JsonNode e = body.path("event");
      if (e.isTextual()) {
        return e.asText();
      }
      JsonNode tags = body.path("tags"); // ntfy
      if (tags.isArray() && !tags.isEmpty()) {
        return tags.get(0).asText();
      }
      return body.path("extras").path("signalbox::event").path("event").asText(null); // gotify
    }
  }

  private PostgresServer old() {
    return pg.server(0);
  }

  private PostgresServer cnpg() {
    return pg.server(1);
  }

  @BeforeEach
  void setUp() throws Exception {
    int n = NEXT.incrementAndGet();
    source = "notify_src_" + n;
    target = "notify_dst_" + n;
    old().createDatabase(source);
    old().executeResource(source, "/datasets/shapes.sql");
    cnpg().createDatabase(target);
    Files.writeString(work.resolve("gotify-token"), GOTIFY_TOKEN + "\n");

    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          Map<String, String> headers = new TreeMap<>();
          exchange
              .getRequestHeaders()
              .forEach((k, v) -> headers.put(k.toLowerCase(), String.join(",", v)));
          byte[] body = exchange.getRequestBody().readAllBytes();
          String path = exchange.getRequestURI().getPath();
          JsonNode json = JSON.readTree(new String(body, StandardCharsets.UTF_8));
          received.add(new Received(path, headers, json));
          int status = path.startsWith("/broken") ? 500 : 200;
          if (path.startsWith("/slow")
              && slowSeen
                      .computeIfAbsent(headers.get("idempotency-key"), k -> new AtomicInteger())
                      .incrementAndGet()
                  == 1) {
            // The first copy is answered after the client gave up: a lost response.
            sleep(3_000);
          }
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.setExecutor(Executors.newCachedThreadPool());
    receiver.start();

    Map<String, String> environment =
        Map.of(
            "SOURCE_PASSWORD",
            old().password(),
            "TARGET_PASSWORD",
            cnpg().password(),
            "NTFY_TOKEN",
            NTFY_TOKEN,
            "HOOK_TOKEN",
            HOOK_TOKEN,
            "SLACK_URL",
            base() + SLACK_PATH);
    secrets = new SecretResolver(client, environment::get);

    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);

    env = TestWorkflowEnvironment.newInstance();
    env.start();
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    for (WorkerFactory f : factories) {
      f.shutdownNow();
    }
    env.close();
    receiver.stop(0);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String base() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort();
  }

  // ------------------------------------------------------------------ worker

  private NotifySettings settings(Notifier... notifiers) {
    return new NotifySettings(
        "http://temporal-ui.example:8080",
        List.of("night-shift"),
        Duration.ofMinutes(30),
        Duration.ofSeconds(1),
        List.of(notifiers));
  }

  private Notifier hook(String path, List<String> events) {
    return new Notifier(
        "hook" + path.replace('/', '-'),
        Kind.WEBHOOK,
        base() + path,
        null,
        new SecretRef("HOOK_TOKEN", null, null),
        null,
        events);
  }

  private Notifier[] allKinds() {
    return new Notifier[] {
      hook("/hook", List.of()),
      new Notifier(
          "phone",
          Kind.NTFY,
          base() + "/ntfy",
          null,
          new SecretRef("NTFY_TOKEN", null, null),
          "signalbox",
          List.of(NotifyActivities.GATE_WAITING, NotifyActivities.RUN_COMPLETED)),
      new Notifier(
          "gotify",
          Kind.GOTIFY,
          base() + "/gotify",
          null,
          new SecretRef(null, work.resolve("gotify-token").toString(), null),
          null,
          List.of(NotifyActivities.RUN_FAILED, NotifyActivities.RUN_COMPLETED)),
      new Notifier(
          "chat",
          Kind.SLACK,
          null,
          new SecretRef("SLACK_URL", null, null),
          null,
          null,
          List.of(NotifyActivities.GATE_WAITING))
    };
  }

  /** A worker on the test server: the runbook, its child, real activities, these notifiers. */
  private WorkerFactory worker(NotifyActivities notify) {
    return worker(notify, WorkerFactoryOptions.getDefaultInstance());
  }

  private WorkerFactory worker(NotifyActivities notify, WorkerFactoryOptions options) {
    WorkerFactory factory = WorkerFactory.newInstance(env.getWorkflowClient(), options);
    Worker worker = factory.newWorker("signalbox");
    worker.registerWorkflowImplementationTypes(
        GiteaDbMigrationWorkflowImpl.class, PostgresCopyWorkflowImpl.class);
    PgTools tools = new PgTools(new CommandRunner(), old().binDir(), secrets::resolve);
    worker.registerActivitiesImplementations(
        new InputActivitiesImpl(),
        new PostgresActivitiesImpl(secrets),
        new KubernetesActivitiesImpl(client),
        new CommandActivitiesImpl(new CommandRunner(), secrets::resolve),
        new HealthCheckActivitiesImpl(),
        new EvidenceActivitiesImpl(null, work.resolve("evidence")),
        new CopyActivitiesImpl(
            tools, new PgConnector(secrets), work.resolve("dumps"), null /* shared */),
        notify);
    factory.start();
    factories.add(factory);
    return factory;
  }

  private NotifyActivitiesImpl notifier(Notifier... notifiers) {
    return new NotifyActivitiesImpl(settings(notifiers), secrets::resolve);
  }

  // ------------------------------------------------------------------ the run

  private WorkflowStub start() throws Exception {
    String input =
        """
        {"requestedBy": "alice",
         "approvals": {"approvers": ["bob"], "timeout": "PT2H"},
         "source": {"host": "%s", "port": %d, "database": "%s", "user": "%s", "sslmode": "disable",
                    "password": {"env": "SOURCE_PASSWORD"}},
         "target": {"host": "%s", "port": %d, "database": "%s", "user": "%s", "sslmode": "disable",
                    "password": {"env": "TARGET_PASSWORD"}},
         "copy": {"jobs": 2, "dumpDir": "%s"},
         "verify": {"checksums": true},
         "notify": {"topics": ["night-shift"]}}
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
                work.resolve("dumps"));
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                "GiteaDbMigration",
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId("gitea-notify-e2e-" + NEXT.incrementAndGet())
                    .build());
    stub.start(JSON.readTree(input));
    return stub;
  }

  private List<Received> at(String pathPrefix) {
    return received.stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
  }

  private Received awaitReceived(Predicate<Received> what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      for (Received r : received) {
        if (what.test(r)) {
          return r;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("never received; got " + received);
  }

  private static Predicate<Received> event(String path, String event, String gate) {
    return r ->
        r.path().startsWith(path)
            && event.equals(r.event())
            && (gate == null || gate.equals(r.body().path("gate").asText(null)));
  }

  /** Every secret value, which must appear nowhere but in the headers that carry it. */
  private static List<String> secretValues() {
    return List.of(NTFY_TOKEN, GOTIFY_TOKEN, HOOK_TOKEN, "XoXslackS3cr3t");
  }

  private void assertNoSecretIn(String where, String text) {
    for (String secret : secretValues()) {
      assertThat(text).as(where + " carries no secret").doesNotContain(secret);
    }
  }

  private void assertNoSecretsLeaked() throws IOException {
    for (Received r : received) {
      assertNoSecretIn("the body to " + r.path(), r.body().toString());
    }
    StringBuilder log = new StringBuilder();
    for (ILoggingEvent e : logs.list) {
      log.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) {
        log.append(e.getThrowableProxy().getMessage()).append('\n');
      }
    }
    assertThat(logs.list).isNotEmpty();
    assertNoSecretIn("the log", log.toString());
    try (Stream<Path> files = Files.walk(work.resolve("evidence"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        assertNoSecretIn("evidence " + f, Files.readString(f));
      }
    }
  }

  // ------------------------------------------------------------------ scenarios

  @Test
  void eachEventReachesEachNotifierAsItExpectsIt() throws Exception {
    worker(notifier(allKinds()));
    WorkflowStub stub = start();
    String id = stub.getExecution().getWorkflowId();

    atGate(stub, WAIT, "freeze");
    Received gate = awaitReceived(event("/hook", NotifyActivities.GATE_WAITING, "freeze"));
    String runId = stub.getExecution().getRunId();
    JsonNode body = gate.body();
    assertThat(body.path("runbook").asText()).isEqualTo("GiteaDbMigration");
    assertThat(body.path("workflowId").asText()).isEqualTo(id);
    assertThat(body.path("runId").asText()).isEqualTo(runId);
    assertThat(body.path("idempotencyKey").asText())
        .isEqualTo(id + "/" + runId + "/freeze/gate-waiting")
        .isEqualTo(gate.header("Idempotency-Key"));
    assertThat(gate.header("Authorization")).isEqualTo("Bearer " + HOOK_TOKEN);
    assertThat(body.path("details").path("approveCommand").asText())
        .isEqualTo("signalbox approve " + id + " --gate freeze --as NAME");
    assertThat(body.path("details").path("deadline").asText()).isNotBlank();
    assertThat(body.path("details").path("summary").asText()).contains("source");
    assertThat(body.path("uiUrl").asText())
        .isEqualTo(
            "http://temporal-ui.example:8080/namespaces/default/workflows/"
                + id
                + "/"
                + runId
                + "/history");
    assertThat(body.path("topics")).extracting(JsonNode::asText).containsExactly("night-shift");

    // ntfy: its own topic and the run's allowed one, JSON publishing with a bearer token.
    Received ntfy = awaitReceived(event("/ntfy", NotifyActivities.GATE_WAITING, null));
    assertThat(ntfy.header("Authorization")).isEqualTo("Bearer " + NTFY_TOKEN);
    assertThat(ntfy.body().path("title").asText()).contains("freeze");
    assertThat(ntfy.body().path("message").asText())
        .contains("signalbox approve " + id + " --gate freeze --as NAME");
    assertThat(ntfy.body().path("click").asText()).startsWith("http://temporal-ui.example:8080/");
    // Kept for a reader who wants to see what a phone gets.
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "ntfy-gate-waiting.json"), ntfy.body().toPrettyString());
    awaitReceived(
        r -> r.path().equals("/ntfy") && r.body().path("topic").asText().equals("night-shift"));
    // Slack-compatible: one text with the link; its URL (a secret) came from a reference.
    Received slack = awaitReceived(r -> r.path().equals(SLACK_PATH));
    assertThat(slack.body().path("text").asText())
        .contains("waits for approval at gate 'freeze'")
        .contains("--gate freeze --as NAME");

    // mallory is not an approver: refused, recorded, told.
    approve(stub, "freeze", "mallory");
    Received refusal = awaitReceived(event("/hook", NotifyActivities.REFUSAL, "freeze"));
    assertThat(refusal.body().path("details").path("by").asText()).isEqualTo("mallory");
    approve(stub, "freeze", "bob");
    atGate(stub, WAIT, "switch");
    awaitReceived(event("/hook", NotifyActivities.GATE_WAITING, "switch"));
    approve(stub, "switch", "bob");
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");

    Received done = awaitReceived(event("/hook", NotifyActivities.RUN_COMPLETED, null));
    assertThat(done.body().path("details").path("outcome").asText()).isEqualTo("COMPLETED");
    Received gotify = awaitReceived(r -> r.path().equals("/gotify/message"));
    assertThat(gotify.header("X-Gotify-Key")).isEqualTo(GOTIFY_TOKEN);
    assertThat(gotify.body().path("title").asText()).contains("GiteaDbMigration completed");
    assertThat(at("/gotify")).hasSize(1); // it wants run-failed and run-completed only

    // The hook got each event once, in order.
    assertThat(at("/hook").stream().map(r -> r.event() + ":" + r.body().path("gate").asText("")))
        .containsExactly(
            "gate-waiting:freeze", "refusal:freeze", "gate-waiting:switch", "run-completed:");
    assertThat(result.notifications())
        .hasSize(4)
        .allSatisfy(o -> assertThat(o.status()).isEqualTo(NotificationOutcome.DELIVERED));
    String evidence = Files.readString(evidenceJson());
    assertThat(evidence).contains("\"notifications\"").contains("run-completed");
    assertNoSecretsLeaked();
  }

  private Path evidenceJson() throws IOException {
    try (Stream<Path> files = Files.walk(work.resolve("evidence"))) {
      return files
          .filter(f -> f.toString().endsWith(".json"))
          .filter(
              f -> {
                try {
                  return Files.readString(f).contains("\"GiteaDbMigration\"");
                } catch (IOException e) {
                  return false;
                }
              })
          .findFirst()
          .orElseThrow();
    }
  }

  @Test
  void aFailedRunIsToldWithItsFailureTypeAndWhatWasLeft() throws Exception {
    cnpg().execute(target, "CREATE TABLE leftover (id int)");
    worker(notifier(allKinds()));
    WorkflowStub stub = start();
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).isEqualTo("PreconditionFailed");
    Received failed = awaitReceived(event("/hook", NotifyActivities.RUN_FAILED, null));
    JsonNode d = failed.body().path("details");
    assertThat(d.path("outcome").asText()).isEqualTo("FAILED");
    assertThat(d.path("failureType").asText()).isEqualTo("PreconditionFailed");
    assertThat(d.path("message").asText())
        .contains("leftover")
        .contains("Nothing had been changed");
    Received gotify = awaitReceived(r -> r.path().equals("/gotify/message"));
    assertThat(gotify.body().path("title").asText())
        .isEqualTo("GiteaDbMigration failed: PreconditionFailed");
    assertThat(gotify.body().path("priority").asInt()).isEqualTo(8);
    assertNoSecretsLeaked();
  }

  @Test
  void aBrokenOrUnreachableWebhookNeitherFailsNorHoldsTheRunAndIsRecorded() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort(); // nothing listens here once it is closed
    }
    Notifier unreachable =
        new Notifier(
            "unreachable",
            Kind.WEBHOOK,
            "http://127.0.0.1:" + closed + "/hook",
            null,
            null,
            null,
            List.of());
    worker(notifier(hook("/broken", List.of()), unreachable, hook("/good", List.of())));
    WorkflowStub stub = start();
    atGate(stub, WAIT, "freeze");
    approve(stub, "freeze", "bob");
    atGate(stub, WAIT, "switch");
    approve(stub, "switch", "bob");
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.notifications())
        .extracting(NotificationOutcome::event)
        .containsExactlyInAnyOrder("gate-waiting", "gate-waiting", "run-completed");
    assertThat(result.notifications())
        .allSatisfy(
            o ->
                assertThat(o.status())
                    .isIn(NotificationOutcome.FAILED, NotificationOutcome.ABANDONED));
    assertThat(at("/broken")).isNotEmpty();
    // The good receiver got every event; a retry sends only where it failed before.
    assertThat(at("/good").stream().map(r -> r.header("Idempotency-Key")).distinct()).hasSize(3);
    assertThat(at("/good")).hasSize(3);
    String evidence = Files.readString(evidenceJson());
    assertThat(evidence).contains("\"notifications\"");
    assertNoSecretsLeaked();
  }

  @Test
  void aLostResponseIsRetriedWithTheSameKeySoTheReceiverCanDropTheCopy() throws Exception {
    worker(notifier(hook("/slow", List.of(NotifyActivities.GATE_WAITING))));
    WorkflowStub stub = start();
    atGate(stub, WAIT, "freeze");
    awaitReceived(
        r -> r.path().equals("/slow") && slowSeen.values().stream().anyMatch(c -> c.get() >= 2));
    List<Received> copies = at("/slow");
    assertThat(copies).hasSize(2);
    assertThat(copies.get(0).header("Idempotency-Key"))
        .isEqualTo(copies.get(1).header("Idempotency-Key"));
    assertThat(copies.get(0).body()).isEqualTo(copies.get(1).body());
    stub.signal("reject", new Signals.Reject("freeze", "bob", "not now"));
    assertThat(failureOf(stub).getType()).isEqualTo("GateRejected");
  }

  @Test
  void aRetriedDeliveryAndRunsReplayedFromHistorySendEachEventOnce() throws Exception {
    NotifyActivitiesImpl real = notifier(hook("/hook", List.of()));
    AtomicInteger attempts = new AtomicInteger();
    // The first attempt of the first delivery ends without sending, as on a worker that went down
    // after the gate opened; Temporal retries it.
    NotifyActivities dyingOnce =
        new NotifyActivities() {
          @Override
          public Plan plan(PlanRequest request) {
            return real.plan(request);
          }

          @Override
          public Delivery deliver(Notification notification) {
            if (attempts.incrementAndGet() == 1) {
              throw ApplicationFailure.newFailure("worker going down", "Transient");
            }
            return real.deliver(notification);
          }
        };
    // No workflow cache: every workflow task of the run replays its whole history, as on a worker
    // that was restarted. (Stopping a worker and starting another in-process does not work on the
    // Java test server: the stopped worker's long polls keep taking the run's tasks.)
    worker(dyingOnce, WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0).build());
    WorkflowStub stub = start();
    atGate(stub, WAIT, "freeze");
    awaitReceived(event("/hook", NotifyActivities.GATE_WAITING, "freeze"));
    assertThat(attempts.get()).isEqualTo(2);
    approve(stub, "freeze", "bob");
    atGate(stub, WAIT, "switch");
    approve(stub, "switch", "bob");
    RunbookResult result = stub.getResult(RunbookResult.class);
    assertThat(result.outcome()).isEqualTo("COMPLETED");
    awaitReceived(event("/hook", NotifyActivities.RUN_COMPLETED, null));

    // Each event exactly once: not again on any replay, not twice by the retry.
    assertThat(at("/hook").stream().map(Received::event))
        .containsExactly("gate-waiting", "gate-waiting", "run-completed");
    assertThat(at("/hook").stream().map(r -> r.header("Idempotency-Key")).distinct()).hasSize(3);
    assertThat(result.notifications())
        .allSatisfy(o -> assertThat(o.status()).isEqualTo(NotificationOutcome.DELIVERED));
  }
}
