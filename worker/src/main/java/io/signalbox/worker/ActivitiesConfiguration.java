package io.signalbox.worker;

import io.signalbox.activities.input.InputActivitiesImpl;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The activity implementations (plain classes of the {@code activities} module) as beans. Each bean
 * name here is listed under {@code spring.temporal.workers[0].activity-beans} in {@code
 * application.yaml}, which registers it with the worker.
 */
@Configuration(proxyBeanMethods = false)
public class ActivitiesConfiguration {

  /** Input validation against the runbooks' JSON Schemas, run as a local activity. */
  @Bean
  public InputActivitiesImpl inputActivities() {
    return new InputActivitiesImpl();
  }
}
