package io.signalbox.worker;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.signalbox.workflows.core.RunSearchAttributes;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The start-up check of Signalbox's search attributes against the dev server: registered where
 * allowed (again without harm), and otherwise one log line with the command that registers them.
 */
class SearchAttributesRegistrationTest {
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger =
      (Logger) LoggerFactory.getLogger(SearchAttributesRegistration.class);
  private DevServer server;
  private WorkflowServiceStubs stubs;

  @BeforeEach
  void start() {
    server = DevServer.start(DevServer.freePort());
    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + server.port())
                .build());
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(logs);
    stubs.shutdownNow();
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theDevServerGetsThemAndASecondWorkerFindsThem() {
    SearchAttributesRegistration first = new SearchAttributesRegistration(stubs, "default", true);
    assertThat(first.check()).containsExactlyInAnyOrderElementsOf(RunSearchAttributes.names());
    assertThat(first.registered()).containsExactlyInAnyOrderElementsOf(RunSearchAttributes.names());

    SearchAttributesRegistration second = new SearchAttributesRegistration(stubs, "default", true);
    assertThat(second.check()).containsExactlyInAnyOrderElementsOf(RunSearchAttributes.names());
    assertThat(warnings()).isEmpty();
  }

  @Test
  void whereNotAllowedItSaysInOneLineWhatToRun() {
    SearchAttributesRegistration registration =
        new SearchAttributesRegistration(stubs, "default", false);
    assertThat(registration.check()).isEmpty();
    List<String> warnings = warnings();
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0))
        .contains("signalbox.search-attributes.register is false")
        .contains(
            "temporal operator search-attribute create --namespace default"
                + " --name SignalboxRunbook --type Keyword --name SignalboxPhase --type Keyword"
                + " --name SignalboxStep --type Keyword --name SignalboxPendingGate --type Keyword"
                + " --name SignalboxRequestedBy --type Keyword");
  }

  @Test
  void anUnreachableServerMeansNoneAndOneLine() {
    server.close();
    server = null;
    SearchAttributesRegistration registration =
        new SearchAttributesRegistration(stubs, "default", true);
    assertThat(registration.check()).isEmpty();
    assertThat(warnings()).hasSize(1);
    assertThat(warnings().get(0)).contains("temporal operator search-attribute create");
  }

  private List<String> warnings() {
    return logs.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
