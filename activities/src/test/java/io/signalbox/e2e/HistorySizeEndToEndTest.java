package io.signalbox.e2e;

import static io.signalbox.workflows.testing.RunbookStubs.failureOf;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.copy.DumpRoots;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceSchema;
import io.signalbox.activities.evidence.EvidenceStore;
import io.signalbox.activities.evidence.ReportStore;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.PostgresCopyWorkflow;
import io.signalbox.workflows.copy.PostgresCopyWorkflowImpl;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.StoredReport;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A copy of a database with 5,000 tables, through the real {@code PostgresCopy} workflow on the
 * Temporal test server with every activity real, and one table changed on the target before the
 * verification: the run's history stays small while the evidence holds the whole report.
 *
 * <p>The bound, {@value #MAX_EVENT_BYTES} bytes per history event (an event holds all of its
 * payloads), is 1/32 of Temporal's 2 MB payload warning: a bounded report is a few KiB whatever the
 * number of tables, so a run with a few dozen events stays far below both the payload limits and
 * the 50 MB history limit. Before the reports were bounded, a report of 5,000 tables was several
 * hundred KiB and travelled in five payloads.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class HistorySizeEndToEndTest {
  private static final Logger log = LoggerFactory.getLogger(HistorySizeEndToEndTest.class);

  static final int TABLES = 5000;
  static final int MAX_EVENT_BYTES = 64 * 1024;
  static final String CHANGED = "public.t4321";

  // One transaction creates 5,000 tables and their primary keys, and pg_dump locks every table in
  // one: 10,000 locks need more than the default 64 per connection (50 connections).
  @RegisterExtension
  static PostgresExtension pg =
      new PostgresExtension(2, Map.of("max_locks_per_transaction", "512"));

  @TempDir Path work;
  private TestWorkflowEnvironment env;

  @AfterEach
  void tearDown() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void fiveThousandTablesStayOutOfHistoryAndAllOfThemInTheEvidence() throws Exception {
    PostgresServer source = pg.server(0);
    PostgresServer target = pg.server(1);
    source.createDatabase("wide");
    source.execute(
        "wide",
        """
        DO $$
        BEGIN
          FOR i IN 1..%d LOOP
            EXECUTE format('CREATE TABLE t%%s (id int PRIMARY KEY, v int NOT NULL)', i);
            EXECUTE format('INSERT INTO t%%s VALUES (1, %%s)', i, i);
          END LOOP;
        END $$
        """
            .formatted(TABLES));
    target.createDatabase("wide_copy");
    target.createDatabase("signalbox");
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(target.jdbcUrl("signalbox"));
    ds.setUser(target.superuser());
    ds.setPassword(target.password());
    EvidenceSchema.migrate(ds);

    SecretResolver secrets =
        new SecretResolver(
            null,
            name ->
                switch (name) {
                  case "SOURCE_PASSWORD" -> source.password();
                  case "TARGET_PASSWORD" -> target.password();
                  default -> null;
                });
    PgTools tools = new PgTools(new CommandRunner(), source.binDir(), secrets::resolve);
    Path dumps = work.resolve("dumps");
    ReportStore reports = new ReportStore(ds, work.resolve("evidence"));
    CopyActivitiesImpl real =
        new CopyActivitiesImpl(
            tools, new PgConnector(secrets), dumps, DumpRoots.of(dumps), null, reports);

    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    Worker worker = env.newWorker("signalbox");
    worker.registerWorkflowImplementationTypes(PostgresCopyWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        new InputActivitiesImpl(),
        new PostgresActivitiesImpl(secrets),
        new ChangeOneTableFirst(real, target),
        new EvidenceActivitiesImpl(ds, work.resolve("evidence"), reports));
    env.start();

    String workflowId = "history-size-e2e";
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                PostgresCopyWorkflow.TYPE,
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId(workflowId)
                    .build());
    stub.start(Json.mapper().readTree(input(source, target)));

    // ---- one changed table among 5,000 is named in the failure and first in its report
    ApplicationFailure failure = failureOf(stub);
    assertThat(failure.getType()).as(failure.getOriginalMessage()).isEqualTo("VerificationFailed");
    assertThat(failure.getOriginalMessage())
        .contains("1 of " + TABLES + " tables differ")
        .contains(CHANGED + ": content checksum differs")
        .contains("full report: signalbox evidence " + workflowId + "/");
    RunbookResult result = failure.getDetails().get(RunbookResult.class);
    JsonNode v = result.verification();
    assertThat(v.path("tableCount").asInt()).isEqualTo(TABLES);
    assertThat(v.path("mismatchCount").asInt()).isEqualTo(1);
    assertThat(v.path("tables")).hasSize(CopyActivities.VerificationReport.SUMMARY_ITEMS);
    assertThat(v.path("tables").get(0).path("table").asText()).isEqualTo(CHANGED);
    assertThat(v.path("moreTables").asInt()).isEqualTo(TABLES - 20);
    StoredReport ref = Json.map(v.path("fullReport"), StoredReport.class);
    assertThat(ref.store()).isEqualTo(ReportStore.DATABASE);

    // ---- no event of the run's history comes near a payload limit
    List<HistoryEvent> events =
        env.getWorkflowClient().fetchHistory(workflowId).getHistory().getEventsList();
    int largest = 0;
    long total = 0;
    HistoryEvent largestEvent = null;
    for (HistoryEvent e : events) {
      total += e.getSerializedSize();
      if (e.getSerializedSize() > largest) {
        largest = e.getSerializedSize();
        largestEvent = e;
      }
    }
    log.info(
        "history of {} tables: {} events, {} bytes in all, largest event {} bytes ({})",
        TABLES,
        events.size(),
        total,
        largest,
        largestEvent.getEventType());
    assertThat(largest)
        .as("largest event (%s)", largestEvent.getEventType())
        .isLessThan(MAX_EVENT_BYTES);

    // ---- the whole report, every table, is in the store and in the evidence, digest checked
    ReportStore.Loaded stored = reports.get(ref).orElseThrow();
    assertThat(stored.matches()).isTrue();
    assertThat(stored.report().path("tables")).hasSize(TABLES);
    assertThat(Json.digest(stored.report())).isEqualTo(ref.sha256());

    EvidenceStore.EvidenceRecord evidence =
        new EvidenceStore(ds).findRun(workflowId, ref.runId()).orElseThrow();
    JsonNode recorded = evidence.json().path("result").path("verification");
    assertThat(recorded.path("tables")).hasSize(TABLES);
    assertThat(recorded.path("tables").get(0).path("table").asText()).isEqualTo(CHANGED);
    assertThat(recorded.path("fullReport").path("verified").asBoolean()).isTrue();
    assertThat(evidence.markdown())
        .contains("**Full report:** SHA-256 matches: all " + TABLES + " tables")
        .contains("| public.t1 |")
        .contains("| public.t5000 |")
        .contains(TABLES + " tables, 1 mismatch.");
  }

  private static String input(PostgresServer source, PostgresServer target) {
    return """
        {"requestedBy": "alice",
         "source": {"host": "%s", "port": %d, "database": "wide", "user": "%s",
                    "sslmode": "disable", "password": {"env": "SOURCE_PASSWORD"}},
         "target": {"host": "%s", "port": %d, "database": "wide_copy", "user": "%s",
                    "sslmode": "disable", "password": {"env": "TARGET_PASSWORD"}},
         "copy": {"jobs": 2},
         "verify": {"checksums": true}}
        """
        .formatted(
            source.host(),
            source.port(),
            source.superuser(),
            target.host(),
            target.port(),
            target.superuser());
  }

  /** The real copy activities; before verifying, one value of one table changes on the target. */
  private record ChangeOneTableFirst(CopyActivities real, PostgresServer target)
      implements CopyActivities {
    @Override
    public ToolsReport checkTools(CheckToolsRequest request) {
      return real.checkTools(request);
    }

    @Override
    public DumpResult dump(DumpRequest request) {
      return real.dump(request);
    }

    @Override
    public RestoreResult restore(RestoreRequest request) {
      return real.restore(request);
    }

    @Override
    public VerificationReport verify(VerifyRequest request) {
      target.execute("wide_copy", "UPDATE " + CHANGED + " SET v = v + 1");
      return real.verify(request);
    }
  }
}
