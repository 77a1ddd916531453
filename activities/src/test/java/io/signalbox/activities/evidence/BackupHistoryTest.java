package io.signalbox.activities.evidence;

import static io.signalbox.testing.BackupEvidenceFixtures.rehearsal;
import static io.signalbox.testing.BackupEvidenceFixtures.verification;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.testing.PostgresExtension;
import io.signalbox.workflows.backup.BackupHistoryActivities.DatabaseHistory;
import io.signalbox.workflows.backup.BackupHistoryActivities.HistoryRequest;
import io.signalbox.workflows.backup.BackupHistoryActivities.HistoryResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The backup history read back from evidence recorded by the real {@link EvidenceActivitiesImpl},
 * in a real PostgreSQL: newest success, last runs and RTOs per database name, rehearsal entries.
 */
class BackupHistoryTest {

  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final Instant T0 = Instant.parse("2026-11-01T03:00:00Z");

  private EvidenceActivitiesImpl evidence;
  private BackupHistory history;

  @BeforeEach
  void setUp() {
    String db = "history_" + DATABASES.incrementAndGet();
    pg.server(0).createDatabase(db);
    PGSimpleDataSource ds = EvidenceActivitiesImplTest.dataSource(pg.server(0), db);
    EvidenceSchema.migrate(ds);
    evidence = new EvidenceActivitiesImpl(ds, null);
    history = new BackupHistory(ds);
  }

  private static Instant day(int d) {
    return T0.plus(Duration.ofDays(d));
  }

  private void recordSample() {
    evidence.record(verification("v1", "gitea@db", "COMPLETED", day(0), 50.0, "PT1H", false));
    evidence.record(verification("v2", "gitea@db", "COMPLETED", day(30), 55.0, "PT1H", false));
    evidence.record(verification("v3", "gitea@db", "FAILED", day(60), 4000.0, "PT1H", false));
    evidence.record(verification("v4", "gitea@db", "FAILED", day(61), null, null, false));
    // A dry run never counts, however new.
    evidence.record(verification("v5", "gitea@db", "COMPLETED", day(62), null, null, true));
    evidence.record(verification("s1", "statehub", "COMPLETED", day(10), 600.0, "PT2H", false));
    evidence.record(verification("o1", "other", "COMPLETED", day(10), 1.0, null, false));
    evidence.record(
        rehearsal("dr-1", "FAILED", day(60), 3600, "gitea@db=FAILED", "statehub=PASSED"));
    evidence.record(rehearsal("dr-2", "COMPLETED", day(61), 7200, "statehub=PASSED"));
  }

  @Test
  void newestSuccessIsTheLatestCompletedNonDryRunPerName() {
    recordSample();

    Map<String, BackupHistory.Success> all = history.newestSuccesses(List.of());
    assertThat(all).containsOnlyKeys("gitea@db", "statehub", "other");
    assertThat(all.get("gitea@db").endedAt()).isEqualTo(day(30));
    assertThat(all.get("gitea@db").workflowId()).isEqualTo("v2");

    assertThat(history.newestSuccesses(List.of("statehub", "missing")))
        .containsOnlyKeys("statehub");
  }

  @Test
  void lastRunsAreNewestFirstWithTheirRtoAndLimit() {
    recordSample();

    List<BackupHistory.Run> runs = history.lastRuns(List.of("gitea@db"), 3).get("gitea@db");
    assertThat(runs).extracting(BackupHistory.Run::workflowId).containsExactly("v4", "v3", "v2");
    assertThat(runs.get(0).rtoSeconds()).isNull();
    assertThat(runs.get(1).rtoSeconds()).isEqualTo(4000.0);
    assertThat(runs.get(1).limitSeconds()).isEqualTo(3600.0);
    assertThat(runs.get(1).outcome()).isEqualTo("FAILED");
  }

  @Test
  void lastMeasuredIsTheNewestRunWithAnRtoWhateverItsOutcome() {
    recordSample();

    Map<String, BackupHistory.Run> measured = history.lastMeasured(List.of());
    // v4 restored nothing (no RTO); v3 measured 4000 s and failed on it: that is the last RTO.
    assertThat(measured.get("gitea@db").workflowId()).isEqualTo("v3");
    assertThat(measured.get("gitea@db").rtoSeconds()).isEqualTo(4000.0);
    assertThat(measured.get("statehub").limitSeconds()).isEqualTo(7200.0);
    assertThat(measured.get("other").limitSeconds()).isNull();
  }

  @Test
  void theNewestRehearsalEntryPerDatabaseAndTheLastRehearsal() {
    recordSample();

    Map<String, BackupHistory.RehearsalEntry> entries = history.lastRehearsalEntries();
    assertThat(entries.get("gitea@db").status()).isEqualTo("FAILED");
    assertThat(entries.get("gitea@db").workflowId()).isEqualTo("dr-1");
    assertThat(entries.get("statehub").status()).isEqualTo("PASSED");
    assertThat(entries.get("statehub").workflowId()).isEqualTo("dr-2");
    assertThat(entries.get("statehub").limitSeconds()).isEqualTo(7200.0);
    assertThat(history.lastRehearsal())
        .get()
        .extracting(BackupHistory.Rehearsal::workflowId)
        .isEqualTo("dr-2");
  }

  @Test
  void anEmptyStoreHasNoHistory() {
    assertThat(history.newestSuccesses(List.of())).isEmpty();
    assertThat(history.lastRehearsalEntries()).isEmpty();
    assertThat(history.lastRehearsal()).isEmpty();
  }

  @Test
  void theActivityReturnsThePreviousSuccessAndTheTrendOfTheAskedNames() {
    recordSample();
    BackupHistoryActivitiesImpl activity = new BackupHistoryActivitiesImpl(history);

    HistoryResult result =
        activity.read(new HistoryRequest(List.of("gitea@db", "statehub", "never"), 2));

    assertThat(result.available()).isTrue();
    assertThat(result.databases())
        .extracting(DatabaseHistory::name)
        .containsExactly("gitea@db", "statehub");
    DatabaseHistory gitea = result.databases().get(0);
    assertThat(gitea.newestSuccessAt()).isEqualTo(day(30).toString());
    assertThat(gitea.lastRuns()).hasSize(2);
    assertThat(gitea.lastRuns().get(1).rtoSeconds()).isEqualTo(4000.0);
  }

  @Test
  void withoutADatabaseTheActivitySaysThereIsNoHistory() {
    HistoryResult result =
        new BackupHistoryActivitiesImpl(null).read(new HistoryRequest(List.of("gitea@db"), 5));

    assertThat(result.available()).isFalse();
    assertThat(result.note()).contains("files only");
    assertThat(result.databases()).isEmpty();
  }
}
