package io.signalbox.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.signalbox.activities.evidence.BackupHistory;
import io.signalbox.activities.evidence.BackupHistoryActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceSchema;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.backup.BackupVerificationInput;
import io.signalbox.workflows.backup.BackupVerificationWorkflow;
import io.signalbox.workflows.backup.DrRehearsalWorkflow;
import io.signalbox.workflows.backup.DrRehearsalWorkflowImpl;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.signalbox.workflows.testing.RunbookStubs;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * DrRehearsal over one good and one bad database, with the real evidence store and backup history
 * in a real PostgreSQL: the children record their evidence as a runbook does (through {@code
 * Runbook} and the real {@link EvidenceActivitiesImpl}), the report shows both, and the metric
 * shows the good one. The children stand in for BackupVerification (restore and verify are that
 * runbook's own tests); what is checked here is the evidence contract between the two.
 */
class DrRehearsalEvidenceTest {

  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A BackupVerification that records its evidence as the real one does: name, RTO, limit. */
  public static class StandInVerification extends RunbookWorkflow<BackupVerificationInput>
      implements BackupVerificationWorkflow {
    public StandInVerification() {
      super(TYPE, BackupVerificationInput.class);
    }

    @Override
    public RunbookResult run(JsonNode input) {
      return runbook.execute(
          input,
          in -> {
            runbook.step("restore", () -> Workflow.sleep(Duration.ofSeconds(95)));
            runbook.rtoSeconds(95.0);
            runbook.verification(
                Map.of("name", in.nameOrDefault(), "maxRestoreTime", in.maxRestoreTimeOrDefault()));
            if (in.nameOrDefault().startsWith("bad")) {
              throw FailureType.VERIFICATION_FAILED.failure(
                  "table public.repo: 29 rows restored, 30 in the manifest");
            }
          });
    }
  }

  private TestWorkflowEnvironment env;
  private PGSimpleDataSource dataSource;

  @BeforeEach
  void setUp() {
    PostgresServer server = pg.server(0);
    server.createDatabase("signalbox");
    dataSource = new PGSimpleDataSource();
    dataSource.setURL(server.jdbcUrl("signalbox"));
    dataSource.setUser(server.superuser());
    dataSource.setPassword(server.password());
    EvidenceSchema.migrate(dataSource);

    env = TestWorkflowEnvironment.newInstance();
    Worker worker = env.newWorker("signalbox");
    worker.registerWorkflowImplementationTypes(
        DrRehearsalWorkflowImpl.class, StandInVerification.class);
    InputActivities anyInput = request -> new InputActivities.ValidationResult(List.of());
    worker.registerActivitiesImplementations(
        anyInput,
        new EvidenceActivitiesImpl(dataSource, null),
        new BackupHistoryActivitiesImpl(new BackupHistory(dataSource)));
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private static String database(String name) {
    return """
        {"name": "%s", "database": {"host": "db", "database": "%s", "user": "u"},
         "backup": {"takeNew": true},
         "scratch": {"host": "scratch", "database": "postgres", "user": "u"},
         "maxRestoreTime": "PT2M"}
        """
        .formatted(name, name);
  }

  @Test
  void oneGoodAndOneBadDatabaseAreBothReportedAndTheMetricShowsTheGoodOne() throws Exception {
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                DrRehearsalWorkflow.TYPE,
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId("dr-rehearsal-test")
                    .build());
    stub.start(
        JSON.readTree(
            "{\"requestedBy\": \"alice\", \"databases\": ["
                + database("good")
                + ","
                + database("bad")
                + "]}"));
    ApplicationFailure failure = RunbookStubs.failureOf(stub);

    assertThat(failure.getType()).isEqualTo("VerificationFailed");
    JsonNode report = failure.getDetails().get(RunbookResult.class).verification();
    assertThat(report.path("databases").get(0).path("name").asText()).isEqualTo("good");
    assertThat(report.path("databases").get(0).path("status").asText()).isEqualTo("PASSED");
    assertThat(report.path("databases").get(0).path("rtoSeconds").asDouble()).isEqualTo(95.0);
    assertThat(report.path("databases").get(0).path("limitSeconds").asLong()).isEqualTo(120);
    // Never verified before and failing now: no proof within maxAge.
    assertThat(report.path("databases").get(1).path("status").asText()).isEqualTo("STALE");
    assertThat(report.path("databases").get(1).path("message").asText()).contains("public.repo");

    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new BackupMetrics(new BackupHistory(dataSource)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("signalbox_last_verified_backup_timestamp_seconds{database=\"good\"}")
        .doesNotContain("signalbox_last_verified_backup_timestamp_seconds{database=\"bad\"}")
        .contains("signalbox_backup_restore_seconds{database=\"good\"} 95.0")
        .contains("signalbox_backup_restore_limit_seconds{database=\"good\"} 120.0")
        .contains("signalbox_dr_rehearsal_passed{database=\"good\"} 1.0")
        .contains("signalbox_dr_rehearsal_passed{database=\"bad\"} 0.0")
        .contains("signalbox_dr_rehearsal_last_success 0.0");

    // A second rehearsal reads the first as history: the good one's previous success and trend.
    WorkflowStub again =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                DrRehearsalWorkflow.TYPE,
                WorkflowOptions.newBuilder()
                    .setTaskQueue("signalbox")
                    .setWorkflowId("dr-rehearsal-test-2")
                    .build());
    again.start(
        JSON.readTree("{\"requestedBy\": \"alice\", \"databases\": [" + database("good") + "]}"));
    RunbookResult second = again.getResult(RunbookResult.class);
    JsonNode good = second.verification().path("databases").get(0);
    assertThat(good.path("newestPreviousSuccessAt").asText()).isNotEmpty();
    assertThat(good.path("trend")).hasSize(1);
    assertThat(good.path("trend").get(0).path("rtoSeconds").asDouble()).isEqualTo(95.0);
  }
}
