package io.signalbox.worker.process;

import io.signalbox.worker.DevServer;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JUnit 5 extension (on an instance field) that runs Signalbox as an operator does: {@code
 * signalbox dev-server} and {@code signalbox worker} as separate JVMs from the packaged jar (system
 * property {@code signalbox.jar}), each test with its own dev server, directories under {@code
 * target/it-logs/<test>/} and its processes' logs there. After each test every process still
 * running is stopped; when the test failed, the tail of every log is logged.
 *
 * <pre>{@code
 * @RegisterExtension ProcessHarness harness = new ProcessHarness();
 * SignalboxProcess worker = harness.startWorker(Map.of("SIGNALBOX_HOST_TASK_QUEUE", "host-a"));
 * worker.kill();
 * }</pre>
 */
public final class ProcessHarness implements BeforeEachCallback, AfterEachCallback {
  private static final Logger log = LoggerFactory.getLogger(ProcessHarness.class);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final List<SignalboxProcess> processes = new ArrayList<>();
  private final Map<String, String> workerEnv = new HashMap<>();
  private Path dir;
  private SignalboxProcess devServer;
  private int port;
  private WorkflowServiceStubs stubs;
  private WorkflowClient client;
  private int workers;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    Path root = Path.of(System.getProperty("signalbox.it.logs", "target/it-logs"));
    dir =
        root.resolve(
                context.getRequiredTestClass().getSimpleName()
                    + "-"
                    + context.getRequiredTestMethod().getName())
            .toAbsolutePath();
    if (Files.exists(dir)) {
      try (var old = Files.walk(dir)) {
        old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Files.createDirectories(dir);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (stubs != null) {
      stubs.shutdownNow();
    }
    for (SignalboxProcess p : processes) {
      if (p.isAlive()) {
        p.stop(Duration.ofSeconds(20));
      }
    }
    if (context.getExecutionException().isPresent()) {
      for (SignalboxProcess p : processes) {
        log.error("{} log ({}):\n{}", p.name(), p.log(), tail(p.logText(), 150));
      }
    }
  }

  /** The jar under test. */
  public static Path jar() {
    Path jar = Path.of(System.getProperty("signalbox.jar", "target/signalbox.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: the process tests run after `package` (./mvnw verify)");
    }
    return jar;
  }

  /** This test's directory (logs, dumps, evidence). */
  public Path dir() {
    return dir;
  }

  /** {@code signalbox dev-server --port P}; waits until it listens. */
  public SignalboxProcess startDevServer() {
    port = DevServer.freePort();
    devServer =
        started(
            SignalboxProcess.start(
                "dev-server",
                jar(),
                dir.resolve("dev-server.log"),
                Map.of(),
                "dev-server",
                "--port",
                String.valueOf(port)),
            "Temporal dev server on");
    return devServer;
  }

  /** The dev server's port. */
  public int port() {
    return port;
  }

  /** {@code host:port} of the dev server. */
  public String target() {
    return "127.0.0.1:" + port;
  }

  /** Environment every worker of this test gets (passwords referenced by the input, …). */
  public void workerEnv(String name, String value) {
    workerEnv.put(name, value);
  }

  /**
   * {@code signalbox worker} against the dev server, with this test's dump and evidence directories
   * and a free actuator port; {@code env} adds to (and overrides) that. Waits until it has started.
   */
  public SignalboxProcess startWorker(Map<String, String> env) {
    Map<String, String> all = new HashMap<>();
    all.put("TEMPORAL_ADDRESS", target());
    all.put("SIGNALBOX_DUMP_DIR", dir.resolve("dumps").toString());
    all.put("SIGNALBOX_EVIDENCE_DIR", dir.resolve("evidence").toString());
    all.put("SIGNALBOX_HTTP_PORT", String.valueOf(DevServer.freePort()));
    all.put("SIGNALBOX_HOST_TASK_QUEUE", "signalbox-host-a");
    // -Dsignalbox.it.sticky-execution=on shows what the tests do without the fix.
    all.put(
        "SIGNALBOX_STICKY_EXECUTION", System.getProperty("signalbox.it.sticky-execution", "auto"));
    all.putAll(workerEnv);
    all.putAll(env);
    workers++;
    return started(
        SignalboxProcess.start(
            "worker-" + workers, jar(), dir.resolve("worker-" + workers + ".log"), all, "worker"),
        "Started Signalbox");
  }

  /** A client of the dev server, as the CLI and the UI are. */
  public WorkflowClient client() {
    if (client == null) {
      stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder()
                  .setTarget(target())
                  .setRpcQueryTimeout(Duration.ofSeconds(5))
                  .build());
      client = WorkflowClient.newInstance(stubs);
    }
    return client;
  }

  private SignalboxProcess started(SignalboxProcess process, String readyLine) {
    processes.add(process);
    process.awaitLog(readyLine, START_TIMEOUT);
    log.info("{} is up", process);
    return process;
  }

  private static String tail(String text, int lines) {
    String[] all = text.split("\n", -1);
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
  }
}
