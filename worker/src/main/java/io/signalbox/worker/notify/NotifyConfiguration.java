package io.signalbox.worker.notify;

import io.signalbox.activities.notify.NotifyActivitiesImpl;
import io.signalbox.activities.notify.NotifySettings;
import io.signalbox.activities.secrets.SecretResolver;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The notification activities ({@code notifyActivities} in {@code application.yaml}'s
 * activity-beans), configured from {@link NotifyProperties}. A configuration that cannot work stops
 * the worker at start-up, naming the property.
 */
@Configuration(proxyBeanMethods = false)
public class NotifyConfiguration {
  private static final Logger log = LoggerFactory.getLogger(NotifyConfiguration.class);

  @Bean
  public NotifyActivitiesImpl notifyActivities(
      NotifyProperties properties, SecretResolver secrets) {
    NotifySettings settings = properties.settings();
    List<String> problems = settings.problems();
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "signalbox.notify is not usable: " + String.join("; ", problems));
    }
    // Names and kinds only: URLs and tokens may carry secrets.
    log.info(
        "notifiers: {}",
        settings.notifiers().isEmpty()
            ? "none (runs send no notifications)"
            : settings.notifiers().stream()
                .map(
                    n ->
                        n.name()
                            + " ("
                            + n.kind()
                            + ", events "
                            + (n.events().isEmpty() ? "all" : n.events())
                            + ")")
                .toList());
    return new NotifyActivitiesImpl(settings, secrets::resolve);
  }
}
