package io.signalbox.activities.evidence;

import static io.signalbox.activities.evidence.EvidenceActivitiesImplTest.completed;
import static io.signalbox.activities.evidence.EvidenceActivitiesImplTest.dataSource;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.testing.PostgresExtension;
import io.signalbox.workflows.core.EvidenceActivities.EvidenceInput;
import io.signalbox.workflows.core.RunbookResult;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The read side the CLI uses, against a real PostgreSQL server. */
class EvidenceStoreTest {

  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  private static EvidenceStore store;

  @BeforeAll
  static void record() {
    pg.server(0).createDatabase("evidence");
    DataSource ds = dataSource(pg.server(0), "evidence");
    EvidenceSchema.migrate(ds);
    EvidenceActivitiesImpl evidence = new EvidenceActivitiesImpl(ds, null);
    // Two runs of one workflow id (the later one recorded first) and another workflow.
    evidence.record(
        new EvidenceInput(
            "gitea-db-migration",
            "run-2",
            "2026-03-27T09:00:00Z",
            "2026-03-27T09:05:00Z",
            completed()));
    evidence.record(
        new EvidenceInput(
            "gitea-db-migration",
            "run-1",
            "2026-03-26T09:00:00Z",
            "2026-03-26T09:01:00Z",
            failed()));
    evidence.record(
        new EvidenceInput(
            "backup-verification", "run-9", "2026-03-25T09:00:00Z", null, completed()));
    store = new EvidenceStore(ds);
  }

  @Test
  void findsARunByEvidenceId() {
    EvidenceStore.EvidenceRecord r = store.findById("gitea-db-migration/run-1").orElseThrow();
    assertThat(r.summary().runId()).isEqualTo("run-1");
    assertThat(r.summary().outcome()).isEqualTo("FAILED");
    assertThat(r.summary().failureType()).isEqualTo("GateRejected");
    assertThat(r.summary().startedAt()).isEqualTo(Instant.parse("2026-03-26T09:00:00Z"));
    assertThat(r.summary().endedAt()).isEqualTo(Instant.parse("2026-03-26T09:01:00Z"));
    assertThat(r.summary().recordedAt()).isNotNull();
    assertThat(r.markdown()).contains("# GiteaDbMigration gitea-db-migration: FAILED");
    assertThat(r.json().path("runId").asText()).isEqualTo("run-1");
  }

  @Test
  void findsTheLatestRunOfAWorkflowId() {
    EvidenceStore.EvidenceRecord r =
        store.findLatestByWorkflowId("gitea-db-migration").orElseThrow();
    assertThat(r.summary().evidenceId()).isEqualTo("gitea-db-migration/run-2");
    assertThat(r.summary().requestedBy()).isEqualTo("alice");
    assertThat(r.markdown()).contains("COMPLETED");
  }

  @Test
  void findTakesEitherId() {
    assertThat(store.find("gitea-db-migration/run-1").orElseThrow().summary().runId())
        .isEqualTo("run-1");
    assertThat(store.find("gitea-db-migration").orElseThrow().summary().runId()).isEqualTo("run-2");
    assertThat(store.find("no-such-run")).isEmpty();
    assertThat(store.findById(null)).isEmpty();
  }

  @Test
  void listsRunsAndRecentRecords() {
    assertThat(store.listRuns("gitea-db-migration"))
        .extracting(EvidenceStore.EvidenceSummary::runId)
        .containsExactly("run-2", "run-1");
    List<EvidenceStore.EvidenceSummary> recent = store.listRecent(2);
    assertThat(recent)
        .extracting(EvidenceStore.EvidenceSummary::evidenceId)
        .containsExactly("backup-verification/run-9", "gitea-db-migration/run-1");
    assertThat(recent.get(0).endedAt()).isNull();
    assertThat(store.listRecent(10)).hasSize(3);
  }

  private static RunbookResult failed() {
    return new RunbookResult(
        "FAILED",
        "GiteaDbMigration",
        null,
        null,
        null,
        List.of(),
        List.of(),
        "GateRejected",
        "bob rejected the switch; the source was unfrozen",
        false);
  }
}
