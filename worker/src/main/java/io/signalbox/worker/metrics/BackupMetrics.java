package io.signalbox.worker.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.signalbox.activities.evidence.BackupHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup metrics on {@code /actuator/prometheus}, computed from the evidence store at every
 * scrape, so they are right after a worker restart and on every worker alike:
 *
 * <ul>
 *   <li>{@value #LAST_VERIFIED}{@code {database}}: when the newest successful BackupVerification of
 *       the database completed (Unix seconds);
 *   <li>{@value #RESTORE}{@code {database}}: the restore time (RTO) of its newest verification that
 *       measured one, passed or not (a restore slower than its limit fails, and shows here);
 *   <li>{@value #LIMIT}{@code {database}}: that verification's limit ({@code maxRestoreTime}), else
 *       the one of the newest rehearsal that included the database, else the default one hour;
 *   <li>{@value #REHEARSAL_PASSED}{@code {database}}: 1 when the newest rehearsal that included the
 *       database reported it PASSED, else 0;
 *   <li>{@value #REHEARSAL_SUCCESS} and {@value #REHEARSAL_TIMESTAMP}: whether the newest rehearsal
 *       completed (1) or failed (0), and when it ended.
 * </ul>
 *
 * <p>A Prometheus client {@link MultiCollector} rather than Micrometer gauges: the set of databases
 * is only known from the store, and a collector can report a new one at the very scrape that first
 * sees it. Dry runs never count. Without an evidence database there are no such metrics.
 */
public class BackupMetrics implements MultiCollector {
  private static final Logger log = LoggerFactory.getLogger(BackupMetrics.class);

  public static final String LAST_VERIFIED = "signalbox_last_verified_backup_timestamp_seconds";
  public static final String RESTORE = "signalbox_backup_restore_seconds";
  public static final String LIMIT = "signalbox_backup_restore_limit_seconds";
  public static final String REHEARSAL_PASSED = "signalbox_dr_rehearsal_passed";
  public static final String REHEARSAL_SUCCESS = "signalbox_dr_rehearsal_last_success";
  public static final String REHEARSAL_TIMESTAMP = "signalbox_dr_rehearsal_last_timestamp_seconds";

  /** The limit when nothing says otherwise: BackupVerification's default {@code PT1H}. */
  static final double DEFAULT_LIMIT_SECONDS = 3600;

  private static final String LABEL = "database";

  private final BackupHistory history;
  private volatile boolean failing;

  /**
   * @param history the evidence store's backup history
   */
  public BackupMetrics(BackupHistory history) {
    this.history = history;
  }

  @Override
  public MetricSnapshots collect() {
    try {
      MetricSnapshots snapshots = read();
      if (failing) {
        log.info("backup metrics: the evidence store answers again");
        failing = false;
      }
      return snapshots;
    } catch (RuntimeException e) {
      // A scrape must not fail for the rest of the metrics; log once per outage, not per scrape.
      if (!failing) {
        log.warn("backup metrics left out: {}", e.getMessage());
        failing = true;
      }
      return new MetricSnapshots();
    }
  }

  private MetricSnapshots read() {
    Map<String, BackupHistory.Success> successes = history.newestSuccesses(List.of());
    Map<String, BackupHistory.Run> measured = history.lastMeasured(List.of());
    Map<String, BackupHistory.RehearsalEntry> rehearsed = history.lastRehearsalEntries();
    Optional<BackupHistory.Rehearsal> last = history.lastRehearsal();

    List<MetricSnapshot> out = new ArrayList<>();
    GaugeSnapshot.Builder verified =
        gauge(LAST_VERIFIED, "When the newest successful BackupVerification completed.");
    successes.forEach((name, s) -> verified.dataPoint(point(name, seconds(s.endedAt()))));
    add(out, verified, successes.size());

    GaugeSnapshot.Builder restore =
        gauge(RESTORE, "Restore time (RTO) of the newest BackupVerification that measured one.");
    GaugeSnapshot.Builder limit = gauge(LIMIT, "The restore time limit (maxRestoreTime).");
    TreeSet<String> limited = new TreeSet<>(measured.keySet());
    limited.addAll(rehearsed.keySet());
    measured.forEach((name, run) -> restore.dataPoint(point(name, run.rtoSeconds())));
    for (String name : limited) {
      BackupHistory.Run run = measured.get(name);
      BackupHistory.RehearsalEntry entry = rehearsed.get(name);
      Double seconds = run == null ? null : run.limitSeconds();
      if (seconds == null && entry != null) {
        seconds = entry.limitSeconds();
      }
      limit.dataPoint(point(name, seconds == null ? DEFAULT_LIMIT_SECONDS : seconds));
    }
    add(out, restore, measured.size());
    add(out, limit, limited.size());

    GaugeSnapshot.Builder passed =
        gauge(REHEARSAL_PASSED, "1 when the newest DrRehearsal with the database passed it.");
    rehearsed.forEach(
        (name, e) -> passed.dataPoint(point(name, "PASSED".equals(e.status()) ? 1 : 0)));
    add(out, passed, rehearsed.size());

    if (last.isPresent()) {
      BackupHistory.Rehearsal r = last.get();
      out.add(
          gauge(REHEARSAL_SUCCESS, "1 when the newest DrRehearsal completed, 0 when it failed.")
              .dataPoint(
                  GaugeDataPointSnapshot.builder()
                      .value("COMPLETED".equals(r.outcome()) ? 1 : 0)
                      .build())
              .build());
      out.add(
          gauge(REHEARSAL_TIMESTAMP, "When the newest DrRehearsal ended.")
              .dataPoint(GaugeDataPointSnapshot.builder().value(seconds(r.endedAt())).build())
              .build());
    }
    return new MetricSnapshots(out);
  }

  private static GaugeSnapshot.Builder gauge(String name, String help) {
    return GaugeSnapshot.builder().name(name).help(help);
  }

  private static void add(List<MetricSnapshot> out, GaugeSnapshot.Builder gauge, int points) {
    if (points > 0) {
      out.add(gauge.build());
    }
  }

  private static GaugeDataPointSnapshot point(String database, double value) {
    return GaugeDataPointSnapshot.builder().labels(Labels.of(LABEL, database)).value(value).build();
  }

  private static double seconds(Instant t) {
    return t.toEpochMilli() / 1000.0;
  }

  @Override
  public List<String> getPrometheusNames() {
    return List.of(
        LAST_VERIFIED, RESTORE, LIMIT, REHEARSAL_PASSED, REHEARSAL_SUCCESS, REHEARSAL_TIMESTAMP);
  }
}
