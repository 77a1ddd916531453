package io.signalbox.worker;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Signalbox's own database is optional (the dev profile runs without one): when {@code
 * spring.datasource.url} is not set, the DataSource and Flyway auto-configurations are left out
 * instead of failing the start, and evidence is written as files only.
 */
public class NoDatabaseListener
    implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

  static final String[] DATABASE_AUTO_CONFIGURATIONS = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration",
    "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration"
  };

  @Override
  public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
    ConfigurableEnvironment env = event.getEnvironment();
    String url = env.getProperty("spring.datasource.url");
    if (url != null && !url.isBlank()) {
      return;
    }
    Set<String> exclude = new LinkedHashSet<>();
    String existing = env.getProperty("spring.autoconfigure.exclude");
    if (existing != null && !existing.isBlank()) {
      exclude.addAll(Set.of(existing.split("\\s*,\\s*")));
    }
    exclude.addAll(Set.of(DATABASE_AUTO_CONFIGURATIONS));
    env.getPropertySources()
        .addFirst(
            new MapPropertySource(
                "signalbox-no-database",
                Map.of("spring.autoconfigure.exclude", String.join(",", exclude))));
  }
}
