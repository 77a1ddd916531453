package io.signalbox.worker.metrics;

import static io.signalbox.testing.BackupEvidenceFixtures.rehearsal;
import static io.signalbox.testing.BackupEvidenceFixtures.verification;
import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.signalbox.activities.evidence.BackupHistory;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceSchema;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The backup metrics as Prometheus scrapes them, computed from evidence that the real {@link
 * EvidenceActivitiesImpl} recorded in a real PostgreSQL. A new collector on the same store (a
 * restarted worker) shows the same values.
 */
class BackupMetricsTest {

  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final Instant GOOD_AT = Instant.parse("2026-11-01T03:12:30Z");

  private PGSimpleDataSource dataSource;
  private EvidenceActivitiesImpl evidence;

  @BeforeEach
  void setUp() {
    PostgresServer server = pg.server(0);
    String db = "metrics_" + DATABASES.incrementAndGet();
    server.createDatabase(db);
    dataSource = new PGSimpleDataSource();
    dataSource.setURL(server.jdbcUrl(db));
    dataSource.setUser(server.superuser());
    dataSource.setPassword(server.password());
    EvidenceSchema.migrate(dataSource);
    evidence = new EvidenceActivitiesImpl(dataSource, null);
  }

  private String scrape() throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new BackupMetrics(new BackupHistory(dataSource)));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  /** The value of one series in the text format (which may write it as 1.79E9). */
  private static double value(String text, String series) {
    return text.lines()
        .filter(line -> line.startsWith(series + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + series + " in\n" + text));
  }

  @Test
  void oneGoodAndOneBadDatabaseAfterARehearsal() throws IOException {
    // The good database passed; the bad one's restore took 4000 s against its 1 h limit.
    evidence.record(
        verification("dr-1-gitea", "gitea@db", "COMPLETED", GOOD_AT, 42.5, "PT1H", false));
    evidence.record(
        verification(
            "dr-1-statehub",
            "statehub@db",
            "FAILED",
            GOOD_AT.plusSeconds(60),
            4000.0,
            "PT1H",
            false));
    evidence.record(
        rehearsal(
            "dr-1",
            "FAILED",
            GOOD_AT.plusSeconds(120),
            3600,
            "gitea@db=PASSED",
            "statehub@db=FAILED"));

    String text = scrape();

    assertThat(
            value(text, "signalbox_last_verified_backup_timestamp_seconds{database=\"gitea@db\"}"))
        .isEqualTo(GOOD_AT.getEpochSecond());
    assertThat(value(text, "signalbox_dr_rehearsal_last_timestamp_seconds"))
        .isEqualTo(GOOD_AT.plusSeconds(120).getEpochSecond());
    assertThat(text)
        .doesNotContain(
            "signalbox_last_verified_backup_timestamp_seconds{database=\"statehub@db\"}")
        .contains("signalbox_backup_restore_seconds{database=\"gitea@db\"} 42.5")
        .contains("signalbox_backup_restore_seconds{database=\"statehub@db\"} 4000.0")
        .contains("signalbox_backup_restore_limit_seconds{database=\"statehub@db\"} 3600.0")
        .contains("signalbox_dr_rehearsal_passed{database=\"gitea@db\"} 1.0")
        .contains("signalbox_dr_rehearsal_passed{database=\"statehub@db\"} 0.0")
        .contains("signalbox_dr_rehearsal_last_success 0.0");
    // From the store, not from memory: a second collector (a restarted worker) says the same.
    assertThat(scrape()).isEqualTo(text);
  }

  @Test
  void aLaterSuccessMovesTheTimestampAndDryRunsNeverCount() throws IOException {
    evidence.record(verification("v1", "gitea@db", "COMPLETED", GOOD_AT, 40.0, null, false));
    evidence.record(
        verification("v2", "gitea@db", "COMPLETED", GOOD_AT.plusSeconds(86400), 41.0, null, false));
    evidence.record(
        verification("v3", "gitea@db", "COMPLETED", GOOD_AT.plusSeconds(172800), 1.0, null, true));

    String text = scrape();

    assertThat(
            value(text, "signalbox_last_verified_backup_timestamp_seconds{database=\"gitea@db\"}"))
        .isEqualTo(GOOD_AT.plusSeconds(86400).getEpochSecond());
    assertThat(text)
        .contains("signalbox_backup_restore_seconds{database=\"gitea@db\"} 41.0")
        // No limit in the evidence and no rehearsal: BackupVerification's default of one hour.
        .contains("signalbox_backup_restore_limit_seconds{database=\"gitea@db\"} 3600.0")
        .doesNotContain("signalbox_dr_rehearsal_last_success");
  }

  @Test
  void aStoreThatCannotBeReadLeavesTheMetricsOutAndTheScrapeWorks() throws IOException {
    PGSimpleDataSource broken = new PGSimpleDataSource();
    broken.setURL(pg.server(0).jdbcUrl("no_such_database"));
    broken.setUser(pg.server(0).superuser());
    broken.setPassword(pg.server(0).password());
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new BackupMetrics(new BackupHistory(broken)));

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());

    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("signalbox_");
  }
}
