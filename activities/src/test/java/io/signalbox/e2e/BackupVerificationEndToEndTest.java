package io.signalbox.e2e;

import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.activities.backup.BackupActivitiesImpl;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.copy.DumpRoots;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.evidence.ReportStore;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.DelegatingCopy;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.backup.BackupVerificationWorkflowImpl;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * BackupVerification end to end: started by type name with JSON as the UI does, on the Temporal
 * test server, with every activity real — a source PostgreSQL server, a scratch server, real
 * pg_dump, pg_restore and pg_amcheck, dumps on disk that the tests damage, evidence as files.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BackupVerificationEndToEndTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger NEXT = new AtomicInteger();

  @TempDir Path work;
  private TestWorkflowEnvironment env;
  private String source;
  private Path dumps;
  private CopyActivities copy;
  private CopyActivities copyOverride;

  private PostgresServer sourceServer() {
    return pg.server(0);
  }

  private PostgresServer scratchServer() {
    return pg.server(1);
  }

  @BeforeEach
  void setUp() {
    source = "app_" + NEXT.incrementAndGet();
    sourceServer().createDatabase(source);
    sourceServer().executeResource(source, "/datasets/shapes.sql");
    dumps = work.resolve("dumps");

    SecretResolver secrets =
        new SecretResolver(
            null,
            name ->
                switch (name) {
                  case "SOURCE_PASSWORD" -> sourceServer().password();
                  case "SCRATCH_PASSWORD" -> scratchServer().password();
                  default -> null;
                });
    CommandRunner runner = new CommandRunner();
    PgTools tools = new PgTools(runner, sourceServer().binDir(), secrets::resolve);
    PgConnector connector = new PgConnector(secrets);
    // Reports kept as files under the evidence directory, as a worker without a database does.
    copy =
        new CopyActivitiesImpl(
            tools,
            connector,
            dumps,
            DumpRoots.of(dumps),
            null /* shared dir */,
            new ReportStore(null, work.resolve("evidence")));

    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder().build());
    Worker worker = env.newWorker("signalbox");
    worker.registerWorkflowImplementationTypes(BackupVerificationWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new InputActivitiesImpl(),
        new PostgresActivitiesImpl(secrets),
        new DelegatingCopy(() -> copyOverride != null ? copyOverride : copy),
        new BackupActivitiesImpl(tools, connector, runner, dumps, null),
        new EvidenceActivitiesImpl(null, work.resolve("evidence")));
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  // ------------------------------------------------------------------ helpers

  private Endpoint sourceEndpoint() {
    return new Endpoint(
        sourceServer().host(),
        sourceServer().port(),
        source,
        sourceServer().superuser(),
        new io.signalbox.workflows.core.SecretRef("SOURCE_PASSWORD", null, null),
        "disable",
        null);
  }

  /** A Signalbox dump of the source, as PostgresCopy writes it. */
  private Path dump() {
    CopyActivities.DumpResult d =
        copy.dump(
            new CopyActivities.DumpRequest(
                sourceEndpoint(), "backup-of-" + source, 2, null, true, 0, "run-1"));
    return Path.of(d.dumpPath());
  }

  private String input(String backup, String extra) {
    return """
        {"requestedBy": "alice", "name": "%s",
         "database": {"host": "%s", "port": %d, "database": "%s", "user": "%s", "sslmode": "disable",
                      "password": {"env": "SOURCE_PASSWORD"}},
         "backup": %s,
         "scratch": {"host": "%s", "port": %d, "database": "postgres", "user": "%s",
                     "sslmode": "disable", "password": {"env": "SCRATCH_PASSWORD"}},
         "copy": {"jobs": 2}%s}
        """
        .formatted(
            source,
            sourceServer().host(),
            sourceServer().port(),
            source,
            sourceServer().superuser(),
            backup,
            scratchServer().host(),
            scratchServer().port(),
            scratchServer().superuser(),
            extra);
  }

  private WorkflowStub start(String backup, String extra) throws Exception {
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                "BackupVerification",
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId("backup-verification-e2e-" + NEXT.incrementAndGet())
                    .build());
    stub.start(JSON.readTree(input(backup, extra)));
    return stub;
  }

  private WorkflowStub startWithPath(Path dump, String extra) throws Exception {
    return start("{\"path\": \"" + dump + "\"}", extra);
  }

  private List<String> scratchDatabases() {
    return scratchServer()
        .queryColumn(
            "postgres",
            "SELECT datname FROM pg_database WHERE datname LIKE 'signalbox\\_verify\\_%'");
  }

  /** The largest table data file of a dump (the events table's). */
  private static Path largestDataFile(Path dump) throws Exception {
    try (Stream<Path> files = Files.list(dump)) {
      return files
          .filter(f -> f.getFileName().toString().matches("\\d+\\.dat"))
          .max(Comparator.comparingLong(f -> f.toFile().length()))
          .orElseThrow();
    }
  }

  /** Fails the run's expectations unless it failed with VerificationFailed; returns its message. */
  private String verificationFailure(WorkflowStub stub) {
    ApplicationFailure f = failureOf(stub);
    assertThat(f.getType()).as(f.getOriginalMessage()).isEqualTo("VerificationFailed");
    assertThat(f.getOriginalMessage()).doesNotContain("Exception").doesNotContain("\tat ");
    return f.getOriginalMessage();
  }

  // ------------------------------------------------------------------ passing

  @Test
  void aGoodBackupPassesWithItsRtoAndLeavesNoScratchDatabase() throws Exception {
    Path dump = dump();
    WorkflowStub stub = startWithPath(dump, "");
    RunbookResult result = stub.getResult(RunbookResult.class);

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    assertThat(result.rtoSeconds()).isNotNull().isPositive();
    JsonNode v = result.verification();
    assertThat(v.path("passed").asBoolean()).isTrue();
    assertThat(v.path("files").path("digests").asBoolean()).isTrue();
    assertThat(v.path("files").path("ok").asBoolean()).isTrue();
    assertThat(v.path("restore").path("matches").asBoolean()).isTrue();
    assertThat(v.path("restore").path("checksums").asBoolean()).isTrue();
    assertThat(v.path("tables").size()).isGreaterThanOrEqualTo(8);
    assertThat(v.path("tableCount").asInt()).isEqualTo(v.path("tables").size());
    assertThat(v.path("fullReport").path("store").asText()).isEqualTo(ReportStore.FILE);
    assertThat(v.path("restore").path("fullReport")).isEqualTo(v.path("fullReport"));
    assertThat(v.path("amcheck").path("ok").asBoolean()).isTrue();
    assertThat(v.path("dump").path("path").asText()).isEqualTo(dump.toString());
    assertThat(v.path("dump").path("sourceVersion").asText()).startsWith("15");
    assertThat(v.path("dump").path("takenAt").asText()).isNotBlank();
    assertThat(scratchDatabases()).isEmpty();
    assertThat(dump.resolve("manifest.json")).as("a given backup is kept").exists();
    try (Stream<Path> evidence = Files.walk(work.resolve("evidence"))) {
      Path json =
          evidence
              .filter(f -> f.toString().endsWith(".json") && !f.toString().endsWith(".report.json"))
              .findFirst()
              .orElseThrow();
      assertThat(Files.readString(json)).contains("\"rtoSeconds\"").contains("\"verified\" : true");
    }
    try (Stream<Path> evidence = Files.walk(work.resolve("evidence"))) {
      Path md = evidence.filter(f -> f.toString().endsWith(".md")).findFirst().orElseThrow();
      assertThat(Files.readString(md))
          .contains("**RTO:**")
          .contains("**Full report:** SHA-256 matches")
          .contains("(within)")
          .contains("public.accounts")
          .contains("0 mismatches");
    }
  }

  @Test
  void takeNewOnASourceReceivingInsertsVerifiesExactlyAndDeletesTheDump() throws Exception {
    sourceServer()
        .execute(source, "CREATE TABLE public.ticks (id bigserial PRIMARY KEY, note text)");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger inserted = new AtomicInteger();
    Thread writer =
        new Thread(
            () -> {
              try (Connection c = sourceServer().connect(source);
                  Statement st = c.createStatement()) {
                while (!stop.get()) {
                  st.execute("INSERT INTO public.ticks (note) VALUES ('tick')");
                  inserted.incrementAndGet();
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    writer.start();
    RunbookResult result;
    try {
      while (inserted.get() < 50) {
        Thread.sleep(10);
      }
      WorkflowStub stub = start("{\"takeNew\": true}", "");
      result = stub.getResult(RunbookResult.class);
    } finally {
      stop.set(true);
      writer.join(10_000);
    }

    assertThat(result.outcome()).isEqualTo("COMPLETED");
    JsonNode ticks = null;
    for (JsonNode t : result.verification().path("tables")) {
      if (t.path("table").asText().equals("public.ticks")) {
        ticks = t;
      }
    }
    assertThat(ticks).as("public.ticks verified").isNotNull();
    long inSnapshot = ticks.path("sourceRows").asLong();
    assertThat(ticks.path("targetRows").asLong()).isEqualTo(inSnapshot);
    assertThat(ticks.path("ok").asBoolean()).isTrue();
    long now =
        Long.parseLong(sourceServer().queryValue(source, "SELECT count(*) FROM public.ticks"));
    assertThat(inSnapshot).as("the source kept changing after the snapshot").isLessThan(now);
    assertThat(result.steps()).anyMatch(s -> s.name().equals("delete-dump"));
    String path = result.verification().path("dump").path("path").asText();
    assertThat(Path.of(path)).doesNotExist();
    assertThat(result.verification().path("dump").path("takenNew").asBoolean()).isTrue();
    assertThat(scratchDatabases()).isEmpty();
  }

  // ------------------------------------------------------------------ damaged backups

  @Test
  void aTruncatedDataFileIsNamedAndNothingIsRestored() throws Exception {
    Path dump = dump();
    Path file = largestDataFile(dump);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    String message = verificationFailure(startWithPath(dump, ""));
    assertThat(message)
        .contains("data file " + file.getFileName() + " (table public.events) is truncated");
    assertThat(scratchDatabases()).isEmpty();
  }

  @Test
  void oneChangedByteIsNamed() throws Exception {
    Path dump = dump();
    Path file = largestDataFile(dump);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b == '7' ? '8' : '7');
    }
    String message = verificationFailure(startWithPath(dump, ""));
    assertThat(message)
        .contains("data file " + file.getFileName() + " (table public.events) is damaged");
    assertThat(scratchDatabases()).isEmpty();
  }

  @Test
  void aMissingDataFileIsNamed() throws Exception {
    Path dump = dump();
    Path file = largestDataFile(dump);
    Files.delete(file);
    String message = verificationFailure(startWithPath(dump, ""));
    assertThat(message).contains("data file " + file.getFileName() + " (table public.events)");
    assertThat(message).contains("is missing");
    assertThat(scratchDatabases()).isEmpty();
  }

  @Test
  void aManifestWithAWrongCountNamesTheTable() throws Exception {
    Path dump = dump();
    Path manifest = dump.resolve("manifest.json");
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    for (JsonNode t : m.path("tables")) {
      if (t.path("table").asText().equals("public.accounts")) {
        ((ObjectNode) t).put("rows", t.path("rows").asLong() + 1);
      }
    }
    JSON.writeValue(manifest.toFile(), m);
    String message = verificationFailure(startWithPath(dump, ""));
    assertThat(message)
        .contains("does not match its manifest")
        .contains("public.accounts: row count 201 != 200");
    assertThat(scratchDatabases()).isEmpty();
  }

  @Test
  void aDumpWithoutDigestsStillFailsOnATruncatedFile() throws Exception {
    Path dump = dump();
    Path manifest = dump.resolve("manifest.json");
    ObjectNode m = (ObjectNode) JSON.readTree(manifest.toFile());
    m.remove("files"); // as dumps were written before the digests
    JSON.writeValue(manifest.toFile(), m);
    Path file = largestDataFile(dump);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    String message = verificationFailure(startWithPath(dump, ""));
    // pg_restore refuses the cut COPY data, or it loads fewer rows than the manifest's count.
    assertThat(message).containsAnyOf("does not restore", "public.events: row count");
    assertThat(scratchDatabases()).isEmpty();
  }

  @Test
  void aRestoreSlowerThanMaxRestoreTimeFailsWithBothFigures() throws Exception {
    Path dump = dump();
    WorkflowStub stub = startWithPath(dump, ", \"maxRestoreTime\": \"PT0.001S\"");
    String message = verificationFailure(stub);
    assertThat(message)
        .containsPattern("The restore took \\d+\\.\\d+ s, longer than maxRestoreTime PT0.001S")
        .contains("(0.001 s)");
    assertThat(scratchDatabases()).isEmpty();
  }

  @Test
  void aPathThatIsNotADumpIsInvalidInput() throws Exception {
    Path notADump = Files.createDirectories(dumps.resolve("just-a-directory"));
    ApplicationFailure f = failureOf(startWithPath(notADump, ""));
    assertThat(f.getType()).isEqualTo("InvalidInput");
    assertThat(f.getOriginalMessage())
        .contains("backup.path " + notADump)
        .contains("is not a Signalbox dump");
    ApplicationFailure outside = failureOf(startWithPath(work, ""));
    assertThat(outside.getType()).isEqualTo("InvalidInput");
    assertThat(outside.getOriginalMessage()).contains("is outside the worker's dump roots");
    assertThat(scratchDatabases()).isEmpty();
  }

  @Test
  void aBackupWithBothPathAndTakeNewIsInvalidInputNamingTheField() throws Exception {
    ApplicationFailure f = failureOf(start("{\"path\": \"" + dumps + "\", \"takeNew\": true}", ""));
    assertThat(f.getType()).isEqualTo("InvalidInput");
    assertThat(f.getOriginalMessage())
        .contains("backup: give exactly one of backup.path")
        .contains("Nothing had been changed");
  }

  @Test
  void aCancelDuringTheRestoreDropsTheScratchDatabase() throws Exception {
    Path dump = dump();
    CountDownLatch restoring = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    copyOverride =
        new DelegatingCopy(() -> copy) {
          @Override
          public RestoreResult restore(RestoreRequest request) {
            RestoreResult r = copy.restore(request);
            restoring.countDown();
            try {
              release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return r;
          }
        };
    WorkflowStub stub = startWithPath(dump, "");
    try {
      assertThat(restoring.await(60, TimeUnit.SECONDS)).isTrue();
      assertThat(scratchDatabases()).as("restored into the scratch database").hasSize(1);
      stub.cancel();
      WorkflowFailedException e =
          catchThrowableOfType(
              WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
      assertThat(e.getCause()).isInstanceOf(CanceledFailure.class);
    } finally {
      release.countDown();
    }
    assertThat(scratchDatabases()).isEmpty();
  }
}
