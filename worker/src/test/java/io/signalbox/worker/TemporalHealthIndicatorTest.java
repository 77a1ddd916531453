package io.signalbox.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The {@code temporal} health component: UP against a live server, DOWN (quickly) without one. */
class TemporalHealthIndicatorTest {

  @Test
  void upWhenTheServerAnswers() {
    try (DevServer server = DevServer.start(DevServer.freePort())) {
      WorkflowServiceStubs stubs = stubs("127.0.0.1:" + server.port());
      try {
        Health health = new TemporalHealthIndicator(stubs).health();
        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(health.getDetails()).containsEntry("target", "127.0.0.1:" + server.port());
      } finally {
        stubs.shutdownNow();
      }
    }
  }

  @Test
  void downWhenNothingListens() {
    WorkflowServiceStubs stubs = stubs("127.0.0.1:" + DevServer.freePort());
    try {
      Instant start = Instant.now();
      Health health = new TemporalHealthIndicator(stubs).health();
      assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(6));
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(String.valueOf(health.getDetails().get("error"))).startsWith("UNAVAILABLE");
    } finally {
      stubs.shutdownNow();
    }
  }

  private static WorkflowServiceStubs stubs(String target) {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
  }
}
