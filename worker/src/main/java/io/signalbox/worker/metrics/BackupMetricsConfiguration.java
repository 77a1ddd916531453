package io.signalbox.worker.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.signalbox.activities.evidence.BackupHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Puts {@link BackupMetrics} on the Prometheus registry that {@code /actuator/prometheus} scrapes,
 * when there is an evidence database to compute them from.
 */
@Configuration(proxyBeanMethods = false)
public class BackupMetricsConfiguration {
  private static final Logger log = LoggerFactory.getLogger(BackupMetricsConfiguration.class);

  /** The collector's registration; closing the context takes it off the registry again. */
  public record Registration(PrometheusRegistry registry, BackupMetrics metrics)
      implements AutoCloseable {
    @Override
    public void close() {
      if (registry != null && metrics != null) {
        registry.unregister(metrics);
      }
    }
  }

  @Bean
  public Registration backupMetrics(
      ObjectProvider<BackupHistory> history, ObjectProvider<PrometheusRegistry> registry) {
    BackupHistory h = history.getIfAvailable();
    PrometheusRegistry r = registry.getIfAvailable();
    if (h == null || r == null) {
      log.info(
          "Backup metrics ({} and others) are off: {}",
          BackupMetrics.LAST_VERIFIED,
          h == null
              ? "no evidence database (spring.datasource.url) to compute them from"
              : "no Prometheus registry");
      return new Registration(null, null);
    }
    BackupMetrics metrics = new BackupMetrics(h);
    r.register(metrics);
    return new Registration(r, metrics);
  }
}
