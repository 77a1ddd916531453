package io.signalbox.worker;

import io.temporal.serviceclient.WorkflowServiceStubs;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Checks (and where allowed registers) Signalbox's search attributes once at start-up, before the
 * workers start: the input activities, which every run asks, answer from it.
 */
@Configuration(proxyBeanMethods = false)
public class SearchAttributesConfiguration {

  @Bean
  public SearchAttributesRegistration searchAttributesRegistration(
      WorkflowServiceStubs stubs,
      @Value("${spring.temporal.namespace:default}") String namespace,
      SearchAttributesProperties properties) {
    SearchAttributesRegistration registration =
        new SearchAttributesRegistration(stubs, namespace, properties.register());
    registration.check();
    return registration;
  }
}
