package io.signalbox.worker.metrics;

import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.signalbox.activities.backup.BackupActivitiesImpl;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.evidence.BackupHistory;
import io.signalbox.activities.evidence.BackupHistoryActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceSchema;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.backup.BackupVerificationWorkflowImpl;
import io.signalbox.workflows.backup.DrRehearsalWorkflowImpl;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
import org.postgresql.ds.PGSimpleDataSource;

/**
 * DrRehearsal end to end with real BackupVerification children: on the Temporal test server, with
 * every activity real (two PostgreSQL servers, real pg_dump, pg_restore and pg_amcheck, evidence in
 * a real evidence database), then the backup history and the backup metrics read back from that
 * evidence. One database has a good backup, the other a dump with one changed byte.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DrRehearsalEndToEndTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;
  private TestWorkflowEnvironment env;
  private PGSimpleDataSource evidenceDb;
  private CopyActivities copy;

  private PostgresServer sourceServer() {
    return pg.server(0);
  }

  private PostgresServer scratchServer() {
    return pg.server(1);
  }

  @BeforeEach
  void setUp() {
    for (String db : List.of("good", "bad")) {
      sourceServer().createDatabase(db);
      sourceServer().executeResource(db, "/datasets/shapes.sql");
    }
    sourceServer().createDatabase("evidence");
    evidenceDb = new PGSimpleDataSource();
    evidenceDb.setURL(sourceServer().jdbcUrl("evidence"));
    evidenceDb.setUser(sourceServer().superuser());
    evidenceDb.setPassword(sourceServer().password());
    EvidenceSchema.migrate(evidenceDb);

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
    Path dumps = work.resolve("dumps");
    copy = new CopyActivitiesImpl(tools, connector, dumps, null);

    env = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder().build());
    Worker worker = env.newWorker("signalbox");
    worker.registerWorkflowImplementationTypes(
        DrRehearsalWorkflowImpl.class, BackupVerificationWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new InputActivitiesImpl(),
        new PostgresActivitiesImpl(secrets),
        copy,
        new BackupActivitiesImpl(tools, connector, runner, dumps, null),
        new EvidenceActivitiesImpl(evidenceDb, work.resolve("evidence")),
        new BackupHistoryActivitiesImpl(new BackupHistory(evidenceDb)));
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private String endpoint(PostgresServer server, String database, String secret) {
    return """
        {"host": "%s", "port": %d, "database": "%s", "user": "%s", "sslmode": "disable",
         "password": {"env": "%s"}}
        """
        .formatted(server.host(), server.port(), database, server.superuser(), secret);
  }

  private String entry(String database, String backup) {
    return """
        {"database": %s, "backup": %s, "scratch": %s, "maxRestoreTime": "PT30M",
         "copy": {"jobs": 2}}
        """
        .formatted(
            endpoint(sourceServer(), database, "SOURCE_PASSWORD"),
            backup,
            endpoint(scratchServer(), "postgres", "SCRATCH_PASSWORD"));
  }

  /** A dump of {@code database} as PostgresCopy writes it, with one byte of a data file changed. */
  private Path damagedDump(String database) throws Exception {
    Endpoint source =
        new Endpoint(
            sourceServer().host(),
            sourceServer().port(),
            database,
            sourceServer().superuser(),
            new SecretRef("SOURCE_PASSWORD", null, null),
            "disable",
            null);
    Path dump =
        Path.of(
            copy.dump(
                    new CopyActivities.DumpRequest(
                        source, "backup-of-" + database, 2, null, true, 0, "run-1"))
                .dumpPath());
    Path file;
    try (Stream<Path> files = Files.list(dump)) {
      file =
          files
              .filter(f -> f.getFileName().toString().matches("\\d+\\.dat"))
              .max(Comparator.comparingLong(f -> f.toFile().length()))
              .orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = f.length() / 2;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b == '7' ? '8' : '7');
    }
    return file;
  }

  private String scrape() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new BackupMetrics(new BackupHistory(evidenceDb)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void oneGoodAndOneDamagedBackupAreBothReportedAndOnlyTheGoodOneIsVerified() throws Exception {
    Path damaged = damagedDump("bad");
    Path dump = damaged.getParent();
    String good = "good@" + sourceServer().host();
    String bad = "bad@" + sourceServer().host();
    String input =
        """
        {"requestedBy": "alice", "parallelism": 2, "databases": [%s, %s]}
        """
            .formatted(
                entry("good", "{\"takeNew\": true}"), entry("bad", "{\"path\": \"" + dump + "\"}"));
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                "DrRehearsal",
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId("dr-rehearsal-e2e")
                    .build());
    stub.start(JSON.readTree(input));

    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).as(failure.getOriginalMessage()).isEqualTo("VerificationFailed");
    assertThat(failure.getOriginalMessage()).contains("1 of 2 databases passed");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    JsonNode report = result.verification();
    assertThat(report.path("passed").asInt()).isEqualTo(1);
    JsonNode databases = report.path("databases");
    assertThat(databases.size()).isEqualTo(2);

    JsonNode passed = databases.get(0);
    assertThat(passed.path("name").asText()).isEqualTo(good);
    assertThat(passed.path("status").asText()).isEqualTo("PASSED");
    assertThat(passed.path("rtoSeconds").asDouble()).isPositive();
    assertThat(passed.path("limitSeconds").asLong()).isEqualTo(1800);
    assertThat(passed.path("rtoWithinLimit").asBoolean()).isTrue();
    assertThat(passed.path("evidenceId").asText()).isNotBlank();

    JsonNode failed = databases.get(1);
    assertThat(failed.path("name").asText()).isEqualTo(bad);
    // Failed now and no success of it ever recorded (the history was read): STALE, not FAILED.
    assertThat(report.path("history").isMissingNode() || report.path("history").isNull())
        .as("history read: %s", report.path("history"))
        .isTrue();
    assertThat(failed.path("status").asText()).isEqualTo("STALE");
    assertThat(failed.hasNonNull("rtoSeconds")).as("nothing was restored").isFalse();
    assertThat(failed.path("limitSeconds").asLong()).isEqualTo(1800);
    assertThat(failed.path("failureType").asText()).isEqualTo("VerificationFailed");
    assertThat(failed.path("message").asText())
        .contains("data file " + damaged.getFileName() + " (table public.events) is damaged");

    assertThat(
            scratchServer()
                .queryColumn(
                    "postgres",
                    "SELECT datname FROM pg_database WHERE datname LIKE 'signalbox\\_verify\\_%'"))
        .as("both children dropped their scratch databases")
        .isEmpty();

    // The same evidence read back: the history the next rehearsal and the metrics see.
    BackupHistory history = new BackupHistory(evidenceDb);
    Map<String, BackupHistory.Success> successes = history.newestSuccesses(List.of());
    assertThat(successes).containsOnlyKeys(good);
    assertThat(successes.get(good).workflowId()).isEqualTo(passed.path("childWorkflowId").asText());
    BackupHistory.Run measured = history.lastMeasured(List.of(good)).get(good);
    assertThat(measured.rtoSeconds()).isEqualTo(passed.path("rtoSeconds").asDouble());
    assertThat(measured.limitSeconds()).isEqualTo(1800.0);
    assertThat(history.lastRuns(List.of(bad), 5).get(bad))
        .as("the failed verification is in the history too")
        .singleElement()
        .satisfies(r -> assertThat(r.outcome()).isEqualTo("FAILED"));
    assertThat(history.lastRehearsal())
        .hasValueSatisfying(r -> assertThat(r.outcome()).isEqualTo("FAILED"));

    String metrics = scrape();
    assertThat(metrics)
        .contains(BackupMetrics.LAST_VERIFIED + "{database=\"" + good + "\"}")
        .doesNotContain(BackupMetrics.LAST_VERIFIED + "{database=\"" + bad + "\"}")
        .contains(BackupMetrics.RESTORE + "{database=\"" + good + "\"}")
        .containsPattern(BackupMetrics.REHEARSAL_PASSED + "\\{database=\"" + good + "\"} 1")
        .containsPattern(BackupMetrics.REHEARSAL_PASSED + "\\{database=\"" + bad + "\"} 0");
  }
}
