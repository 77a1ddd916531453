package io.signalbox.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.worker.cli.SignalboxCli;
import io.signalbox.workflows.core.RunSearchAttributes;
import io.signalbox.workflows.demo.DemoRunbookWorkflowImpl;
import io.signalbox.workflows.demo.RecordingDemoActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.metadata.POJOWorkflowImplMetadata;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.test.context.ActiveProfiles;
import org.yaml.snakeyaml.Yaml;

/**
 * The wiring, once: the {@code dev} profile starts the embedded dev server (on a free port) before
 * the Temporal starter connects, the worker registers the workflows and activity beans that {@code
 * application.yaml} ships (not a list of this test's own: nothing here overrides {@code
 * spring.temporal.workers}), health reports Temporal, Prometheus has the SDK's metrics and
 * Signalbox's own, and a runbook started by type name with JSON (by the CLI, as the UI does) runs
 * to completion.
 *
 * <p>The demo runbook is test code, so it runs on a worker of this test's own, on its own task
 * queue, next to the product worker; it shares the product's client (and so its metrics) and its
 * input and evidence activity beans.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "signalbox.dev-server.port=0",
      "signalbox.task-queue=smoke-test",
      "signalbox.evidence-dir=target/smoke-evidence",
      "signalbox.dump-dir=target/smoke-dumps"
    })
@ActiveProfiles("dev")
class WorkerSmokeTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);
  private final HttpClient http = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Autowired SignalboxProperties properties;
  @TempDir Path dir;

  private static final String DEMO_QUEUE = "smoke-demo";

  @Autowired WorkflowClient client;
  @Autowired Environment environment;
  @Autowired ApplicationContext context;

  @Test
  void theWorkerRegistrationIsTheOneApplicationYamlShips() throws Exception {
    Map<String, Object> shipped;
    try (InputStream in = WorkerSmokeTest.class.getResourceAsStream("/application.yaml")) {
      shipped = new Yaml().load(in);
    }
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> workers =
        (List<Map<String, Object>>)
            ((Map<String, Object>) ((Map<String, Object>) shipped.get("spring")).get("temporal"))
                .get("workers");
    for (int i = 0; i < workers.size(); i++) {
      Map<String, Object> worker = workers.get(i);
      String prefix = "spring.temporal.workers[" + i + "].";
      assertThat(environment.getProperty(prefix + "name")).isEqualTo(worker.get("name"));
      for (String list : List.of("workflow-classes", "activity-beans")) {
        List<?> expected = (List<?>) worker.getOrDefault(list, List.of());
        List<String> bound = new ArrayList<>();
        for (int j = 0; environment.containsProperty(prefix + list + "[" + j + "]"); j++) {
          bound.add(environment.getProperty(prefix + list + "[" + j + "]"));
        }
        assertThat(bound).as(prefix + list).isEqualTo(expected);
        if (list.equals("activity-beans")) {
          expected.forEach(bean -> assertThat(context.containsBean((String) bean)).isTrue());
        }
      }
    }
    assertThat(environment.containsProperty("spring.temporal.workers[" + workers.size() + "].name"))
        .isFalse();
  }

  /**
   * Each runbook that application.yaml registers is served on the product queue: started with an
   * empty input, it fails at once as InvalidInput. A workflow type that the worker did not register
   * would instead sit with its workflow task failing until the timeout.
   */
  @Test
  void everyShippedRunbookIsServedByTheProductWorker() throws Exception {
    List<String> classes = new ArrayList<>();
    for (int j = 0;
        environment.containsProperty("spring.temporal.workers[0].workflow-classes[" + j + "]");
        j++) {
      classes.add(
          environment.getProperty("spring.temporal.workers[0].workflow-classes[" + j + "]"));
    }
    assertThat(classes).isNotEmpty();
    for (String cls : classes) {
      String type =
          POJOWorkflowImplMetadata.newInstance(Class.forName(cls))
              .getWorkflowMethods()
              .get(0)
              .getName();
      WorkflowStub stub =
          client.newUntypedWorkflowStub(
              type,
              WorkflowOptions.newBuilder()
                  .setTaskQueue(properties.taskQueue())
                  .setWorkflowId("smoke-registered-" + type)
                  .setWorkflowRunTimeout(Duration.ofSeconds(30))
                  .build());
      stub.start(new ObjectMapper().createObjectNode());
      WorkflowFailedException failed =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              WorkflowFailedException.class, () -> stub.getResult(JsonNode.class));
      assertThat(failed).as(type).isNotNull();
      assertThat(failed.getCause()).as(type).isInstanceOf(ApplicationFailure.class);
      assertThat(((ApplicationFailure) failed.getCause()).getType())
          .as(type)
          .isEqualTo("InvalidInput");
    }
  }

  @Test
  void settingsAreBoundAndValidated() {
    assertThat(properties.taskQueue()).isEqualTo("smoke-test");
    assertThat(properties.devServer().port()).isPositive();
    assertThat(properties.evidenceDir()).isNotNull();
  }

  @Test
  void healthReportsTemporalUp() throws Exception {
    HttpResponse<String> health = get("/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    JsonNode temporal =
        new ObjectMapper().readTree(health.body()).path("components").path("temporal");
    assertThat(temporal.path("status").asText()).isEqualTo("UP");
    assertThat(temporal.path("details").path("target").asText())
        .isEqualTo("127.0.0.1:" + properties.devServer().port());
  }

  @Test
  void prometheusExportsTemporalSdkMetrics() throws Exception {
    String body = awaitMetrics(b -> b.contains("temporal_long_request_total"));
    assertThat(body).containsPattern("(?m)^temporal_long_request_total\\{");
    assertThat(body).contains("task_queue=\"smoke-test\"");
  }

  @Test
  void runbookStartedByTypeNameRunsAndIsCounted() throws Exception {
    WorkerFactory demo = WorkerFactory.newInstance(client);
    Worker worker = demo.newWorker(DEMO_QUEUE);
    worker.registerWorkflowImplementationTypes(DemoRunbookWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new RecordingDemoActivities(),
        context.getBean("inputActivities"),
        context.getBean("evidenceActivities"),
        context.getBean("notifyActivities"));
    demo.start();
    try {
      demoRunbookRunsAndIsCounted();
    } finally {
      demo.shutdown();
    }
  }

  private void demoRunbookRunsAndIsCounted() throws Exception {
    Path input = Files.writeString(dir.resolve("input.json"), "{\"requestedBy\": \"alice\"}");
    Result started =
        cliOn(DEMO_QUEUE, "start", "DemoRunbook", "--input", input.toString(), "--id", "smoke-1");
    assertThat(started.code).as(started.err).isZero();
    awaitStatus("smoke-1", s -> s.path("pendingGate").path("gate").asText().equals("go"));
    // The worker registered Signalbox's search attributes on the dev server at start-up, so the
    // run shows where it waits in them, and list --waiting finds it.
    assertThat(
            client
                .newUntypedWorkflowStub("smoke-1")
                .describe()
                .getTypedSearchAttributes()
                .get(RunSearchAttributes.PENDING_GATE))
        .isEqualTo("go");
    assertThat(cliOn(DEMO_QUEUE, "list", "--waiting").out)
        .containsPattern("smoke-1\\s+DemoRunbook");

    Result approved = cli("approve", "smoke-1", "--gate", "go", "--as", "bob");
    assertThat(approved.code).as(approved.err).isZero();
    awaitStatus("smoke-1", s -> s.path("phase").asText().equals("COMPLETED"));

    String body = awaitMetrics(b -> b.contains("signalbox_runbook_completed"));
    assertThat(body).containsPattern("(?m)^signalbox_runbook_completed(_total)?\\{");
    // No database in this test: the evidence is written as files.
    try (var runs = Files.list(properties.evidenceDir().resolve("smoke-1"))) {
      assertThat(runs.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".md"));
    }
    String evidenceDir = properties.evidenceDir().toString();
    Result report = cli("evidence", "smoke-1", "--evidence-dir", evidenceDir);
    assertThat(report.code).as(report.err).isZero();
    assertThat(report.out).contains("DemoRunbook").contains("COMPLETED").contains("bob");
    Result missing = cli("evidence", "no-such-run", "--evidence-dir", evidenceDir);
    assertThat(missing.code).isEqualTo(3);
    assertThat(missing.err).contains("no evidence for 'no-such-run'");
  }

  /**
   * The product wiring: a real PostgresCopy between two throwaway PostgreSQL servers, started by
   * type name with JSON through the CLI, runs on this worker's real activities and verifies.
   */
  @Test
  void postgresCopyRunsOnTheRealActivities() throws Exception {
    PostgresServer a = pg.server(0);
    PostgresServer b = pg.server(1);
    a.createDatabase("smoke_src");
    a.executeResource("smoke_src", "/datasets/shapes.sql");
    b.createDatabase("smoke_dst");
    Path input =
        Files.writeString(
            dir.resolve("copy.json"),
            """
            {"requestedBy": "alice",
             "source": {"host": "%s", "port": %d, "database": "smoke_src", "user": "%s",
                        "password": {"file": "%s"}, "sslmode": "disable"},
             "target": {"host": "%s", "port": %d, "database": "smoke_dst", "user": "%s",
                        "password": {"file": "%s"}, "sslmode": "disable"}}
            """
                .formatted(
                    a.host(),
                    a.port(),
                    a.superuser(),
                    secret("a", a.password()),
                    b.host(),
                    b.port(),
                    b.superuser(),
                    secret("b", b.password())));
    Result started =
        cli("start", "PostgresCopy", "--input", input.toString(), "--id", "smoke-copy");
    assertThat(started.code).as(started.err).isZero();

    JsonNode done =
        awaitStatus("smoke-copy", s -> s.path("phase").asText().matches("COMPLETED|FAILED"));
    assertThat(done.path("phase").asText()).as(done.toString()).isEqualTo("COMPLETED");
    assertThat(b.queryValue("smoke_dst", "SELECT count(*) FROM public.\"Order\""))
        .isEqualTo(a.queryValue("smoke_src", "SELECT count(*) FROM public.\"Order\""));
  }

  /**
   * A plain Temporal client (as the UI or any SDK would) that skips the CLI's own check: the run
   * itself refuses the input at once, naming each bad field, instead of retrying forever.
   */
  @Test
  void badInputFromAPlainClientFailsTheRunNamingEachField() throws Exception {
    WorkflowClient client =
        WorkflowClient.newInstance(
            WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder()
                    .setTarget("127.0.0.1:" + properties.devServer().port())
                    .build()));
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            "PostgresCopy",
            WorkflowOptions.newBuilder()
                .setTaskQueue(properties.taskQueue())
                .setWorkflowId("smoke-bad-input")
                .build());
    stub.start(
        new ObjectMapper()
            .readTree(
                """
                {"source": {"host": "db", "port": "5432", "database": "a", "user": "a",
                            "password": "hunter2"},
                 "target": {"host": "db2", "database": "b", "user": "b"}}
                """));
    WorkflowFailedException failed =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(JsonNode.class));
    assertThat(failed).isNotNull();
    assertThat(failed.getCause()).isInstanceOf(ApplicationFailure.class);
    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertThat(cause.getType()).isEqualTo("InvalidInput");
    assertThat(cause.getOriginalMessage())
        .contains("$.requestedBy: is required but missing")
        .contains("$.source.port: ")
        .contains("$.source.password: a literal password is refused")
        .doesNotContain("hunter2");
  }

  private Path secret(String name, String value) throws Exception {
    return Files.writeString(dir.resolve(name + ".pw"), value);
  }

  private JsonNode awaitStatus(String id, Predicate<JsonNode> done) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    JsonNode status = null;
    while (Instant.now().isBefore(deadline)) {
      Result result = cli("status", id, "--json");
      if (result.code == 0) {
        status = new ObjectMapper().readTree(result.out);
        if (done.test(status)) {
          return status;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("status of " + id + " never matched; last: " + status);
  }

  private String awaitMetrics(Predicate<String> done) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    String body = "";
    while (Instant.now().isBefore(deadline)) {
      body = get("/actuator/prometheus").body();
      if (done.test(body)) {
        break;
      }
      Thread.sleep(500);
    }
    return body;
  }

  private Result cli(String... args) {
    return cliOn(properties.taskQueue(), args);
  }

  private Result cliOn(String taskQueue, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of(
            "--address", "127.0.0.1:" + properties.devServer().port(), "--task-queue", taskQueue));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SignalboxCli.execute(
            all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private record Result(int code, String out, String err) {}
}
