package io.signalbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.PostgresCopyWorkflow;
import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.NotifyActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The worker side of the benchmark: runs one {@code PostgresCopy} workflow on a Temporal {@link
 * TestWorkflowEnvironment} (no time skipping) with the real {@link CopyActivitiesImpl} and {@link
 * PostgresActivitiesImpl}; input validation, evidence and notifications are stubs. {@link
 * CopyBenchmark} starts it in a child JVM ({@code -Xmx512m}) so that its peak RSS is the worker's
 * alone.
 *
 * <p>Arguments: {@code pgBinDir dumpDir sourcePort targetPort sourceDb targetDb jobs [checksums]};
 * the passwords come from the environment ({@code BENCH_SOURCE_PASSWORD}, {@code
 * BENCH_TARGET_PASSWORD}) through password references, as a worker resolves them. Prints one line
 * {@code BENCH-RESULT {json}} with the workflow's wall time, the dump/restore/verify split (timed
 * around the activity implementation) and {@code VmHWM} of this JVM.
 */
public final class PostgresCopyRun {
  static final String MARKER = "BENCH-RESULT ";
  private static final ObjectMapper JSON = new ObjectMapper();

  private PostgresCopyRun() {}

  public static void main(String[] args) throws Exception {
    Path binDir = Path.of(args[0]);
    Path dumpDir = Path.of(args[1]);
    int sourcePort = Integer.parseInt(args[2]);
    int targetPort = Integer.parseInt(args[3]);
    String sourceDb = args[4];
    String targetDb = args[5];
    int jobs = Integer.parseInt(args[6]);
    boolean checksums = args.length < 8 || Boolean.parseBoolean(args[7]);

    SecretResolver secrets = new SecretResolver(null, System::getenv);
    TimedCopy copy =
        new TimedCopy(
            new CopyActivitiesImpl(
                    new PgTools(new CommandRunner(), binDir, secrets::resolve),
                    new PgConnector(secrets),
                    dumpDir,
                    null)
                .readBesideRestore("true".equals(System.getenv("BENCH_READ_BESIDE_RESTORE"))));
    InputActivities inputs = request -> new InputActivities.ValidationResult(List.of());
    EvidenceActivities evidence =
        input -> new EvidenceActivities.EvidenceRef("bench/" + input.workflowId(), null, null);
    // A worker without notifiers: its plan answers at once. Without this activity registered,
    // the workflow's plan call fails three times (1 s and 2 s apart) before the run goes on,
    // about 3 s that a real worker never spends.
    NotifyActivities notify =
        new NotifyActivities() {
          @Override
          public Plan plan(PlanRequest request) {
            return Plan.NONE;
          }

          @Override
          public Delivery deliver(Notification notification) {
            return new Delivery(List.of());
          }
        };

    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    ObjectNode out = JSON.createObjectNode();
    try {
      Worker worker = env.newWorker("signalbox");
      worker.registerWorkflowImplementationTypes(PostgresCopyWorkflowImpl.class);
      worker.registerActivitiesImplementations(
          copy, new PostgresActivitiesImpl(secrets), inputs, evidence, notify);
      env.start();

      ObjectNode input = JSON.createObjectNode();
      input.put("requestedBy", "bench");
      input.set("source", endpoint(sourcePort, sourceDb, "BENCH_SOURCE_PASSWORD"));
      input.set("target", endpoint(targetPort, targetDb, "BENCH_TARGET_PASSWORD"));
      input.set(
          "copy",
          JSON.createObjectNode()
              .put("jobs", jobs)
              .put("compression", 0)
              .put("dumpDir", dumpDir.toString()));
      input.set("verify", JSON.createObjectNode().put("checksums", checksums));
      input.put("copyId", "bench-copy");

      WorkflowStub stub =
          env.getWorkflowClient()
              .newUntypedWorkflowStub(
                  PostgresCopyWorkflow.TYPE,
                  WorkflowOptions.newBuilder()
                      .setTaskQueue("signalbox")
                      .setWorkflowId("bench-postgres-copy")
                      .build());
      long t0 = System.nanoTime();
      stub.start(input);
      RunbookResult result = stub.getResult(RunbookResult.class);
      long total = (System.nanoTime() - t0) / 1_000_000;

      out.put("outcome", result.outcome());
      out.put("message", result.message());
      out.put("totalMillis", total);
      out.put("dumpMillis", copy.dumpMillis);
      out.put("restoreMillis", copy.restoreMillis);
      out.put("verifyMillis", copy.verifyMillis);
      out.put("dumpPath", copy.dumpPath);
      out.put("dumpBytes", copy.dumpBytes);
      out.put("rows", copy.rows);
      out.put("tables", copy.tables);
      out.set("verification", result.verification());
    } finally {
      env.close();
    }
    out.put("vmHwmKiB", statusKiB("VmHWM"));
    System.out.println(MARKER + JSON.writeValueAsString(out));
    System.out.flush();
    System.exit(0);
  }

  private static JsonNode endpoint(int port, String db, String passwordEnv) {
    ObjectNode e = JSON.createObjectNode();
    e.put("host", "127.0.0.1");
    e.put("port", port);
    e.put("database", db);
    e.put("user", "postgres");
    e.set("password", JSON.createObjectNode().put("env", passwordEnv));
    e.put("sslmode", "disable");
    return e;
  }

  /** A field of {@code /proc/self/status} in KiB, e.g. {@code VmHWM} (peak RSS), or -1. */
  static long statusKiB(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field + ":")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      // Not Linux: reported as unknown.
    }
    return -1;
  }

  /** The real copy activities, timed from the inside (Temporal's own overhead excluded). */
  static final class TimedCopy implements CopyActivities {
    private final CopyActivities delegate;
    volatile long dumpMillis;
    volatile long restoreMillis;
    volatile long verifyMillis;
    volatile String dumpPath;
    volatile long dumpBytes;
    volatile long rows;
    volatile int tables;

    TimedCopy(CopyActivities delegate) {
      this.delegate = delegate;
    }

    @Override
    public ToolsReport checkTools(CheckToolsRequest request) {
      return delegate.checkTools(request);
    }

    @Override
    public DumpResult dump(DumpRequest request) {
      long t0 = System.nanoTime();
      DumpResult r = delegate.dump(request);
      dumpMillis = (System.nanoTime() - t0) / 1_000_000;
      dumpPath = r.dumpPath();
      dumpBytes = r.dumpBytes();
      rows = r.rows();
      tables = r.tables();
      return r;
    }

    @Override
    public RestoreResult restore(RestoreRequest request) {
      long t0 = System.nanoTime();
      RestoreResult r = delegate.restore(request);
      restoreMillis = (System.nanoTime() - t0) / 1_000_000;
      return r;
    }

    @Override
    public VerificationReport verify(VerifyRequest request) {
      long t0 = System.nanoTime();
      VerificationReport r = delegate.verify(request);
      verifyMillis = (System.nanoTime() - t0) / 1_000_000;
      return r;
    }
  }
}
