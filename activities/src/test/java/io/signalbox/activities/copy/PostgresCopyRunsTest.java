package io.signalbox.activities.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgresCopy runs on the Temporal test server with its real activities (two PostgreSQL servers,
 * real pg_dump and pg_restore), started by type name with JSON: two runs that share a workflow id
 * keep a dump and an evidence record each, and a {@code copy.dumpDir} outside the worker's dump
 * roots fails the run as {@code InvalidInput} before anything is written.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PostgresCopyRunsTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private Path dumps;
  private Path evidence;
  private TestWorkflowEnvironment env;
  private String src;

  @BeforeEach
  void setUp() {
    PostgresServer a = pg.server(0);
    PostgresServer b = pg.server(1);
    Map<String, String> passwords = Map.of("SRC_PW", a.password(), "DST_PW", b.password());
    SecretResolver secrets = new SecretResolver(null, passwords::get);
    dumps = work.resolve("dumps");
    evidence = work.resolve("evidence");
    src = "runs_src_" + System.nanoTime() % 1_000_000;
    a.createDatabase(src);
    a.executeResource(src, "/datasets/shapes.sql");

    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("signalbox");
    worker.registerWorkflowImplementationTypes(PostgresCopyWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new InputActivitiesImpl(),
        new PostgresActivitiesImpl(secrets),
        new CopyActivitiesImpl(
            new PgTools(new CommandRunner(), a.binDir(), secrets::resolve),
            new PgConnector(secrets),
            dumps,
            DumpRoots.of(dumps),
            null),
        new EvidenceActivitiesImpl(null, evidence));
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private ObjectNode input(String dst, String dumpDir) {
    PostgresServer a = pg.server(0);
    PostgresServer b = pg.server(1);
    ObjectNode in = JSON.createObjectNode();
    in.put("requestedBy", "alice");
    in.set("source", endpoint(a, src, "SRC_PW"));
    in.set("target", endpoint(b, dst, "DST_PW"));
    ObjectNode copy = in.putObject("copy");
    copy.put("jobs", 2);
    if (dumpDir != null) {
      copy.put("dumpDir", dumpDir);
    }
    return in;
  }

  private static ObjectNode endpoint(PostgresServer server, String db, String passwordEnv) {
    ObjectNode e = JSON.createObjectNode();
    e.put("host", server.host());
    e.put("port", server.port());
    e.put("database", db);
    e.put("user", server.superuser());
    e.putObject("password").put("env", passwordEnv);
    e.put("sslmode", "disable");
    return e;
  }

  private WorkflowStub start(String workflowId, JsonNode input) {
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                "PostgresCopy",
                WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowId)
                    .setTaskQueue("signalbox")
                    .build());
    stub.start(input);
    return stub;
  }

  @Test
  void twoRunsWithOneWorkflowIdKeepTwoDumpsAndTwoEvidenceRecords() throws Exception {
    PostgresServer b = pg.server(1);
    String first = "runs_dst_a_" + System.nanoTime() % 1_000_000;
    String second = "runs_dst_b_" + System.nanoTime() % 1_000_000;
    b.createDatabase(first);
    b.createDatabase(second);

    WorkflowStub one = start("copy-reused", input(first, dumps.toString()));
    RunbookResult r1 = one.getResult(RunbookResult.class);
    String run1 = one.getExecution().getRunId();
    Path dump1 = dumps.resolve("copy-reused").resolve(run1);
    String manifest1 = Files.readString(dump1.resolve("manifest.json"));

    WorkflowStub two = start("copy-reused", input(second, null));
    RunbookResult r2 = two.getResult(RunbookResult.class);
    String run2 = two.getExecution().getRunId();

    assertThat(run2).isNotEqualTo(run1);
    assertThat(r1.outcome()).isEqualTo("COMPLETED");
    assertThat(r2.outcome()).isEqualTo("COMPLETED");
    assertThat(dumps.resolve("copy-reused").resolve(run2).resolve("manifest.json")).exists();
    assertThat(Files.readString(dump1.resolve("manifest.json"))).isEqualTo(manifest1);
    try (Stream<Path> files = Files.list(evidence.resolve("copy-reused"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder(run1 + ".json", run1 + ".md", run2 + ".json", run2 + ".md");
    }
    assertThat(b.queryValue(first, "SELECT count(*) FROM public.\"Order\""))
        .isEqualTo(b.queryValue(second, "SELECT count(*) FROM public.\"Order\""));
  }

  @Test
  void aDumpDirOutsideTheRootsFailsTheRunAsInvalidInputAndWritesNothingThere() throws Exception {
    Path outside = Files.createDirectories(work.resolve("elsewhere"));
    for (String dumpDir : List.of("../../etc", outside.toString(), dumps + "/../elsewhere")) {
      String dst = "runs_dst_bad_" + System.nanoTime() % 1_000_000;
      pg.server(1).createDatabase(dst);
      WorkflowStub run = start("copy-bad-" + System.nanoTime(), input(dst, dumpDir));

      WorkflowFailedException failed =
          catchThrowableOfType(
              WorkflowFailedException.class, () -> run.getResult(RunbookResult.class));

      assertThat(failed).as(dumpDir).isNotNull();
      assertThat(failed.getCause()).isInstanceOf(ApplicationFailure.class);
      ApplicationFailure failure = (ApplicationFailure) failed.getCause();
      assertThat(failure.getType()).isEqualTo("InvalidInput");
      assertThat(failure.getOriginalMessage()).contains("copy.dumpDir").contains(dumps.toString());
    }
    try (Stream<Path> files = Files.list(outside)) {
      assertThat(files).isEmpty();
    }
  }
}
