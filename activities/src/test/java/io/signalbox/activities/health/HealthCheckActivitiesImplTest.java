package io.signalbox.activities.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import io.signalbox.workflows.core.HealthCheckActivities.HealthCheckInput;
import io.signalbox.workflows.core.HealthCheckActivities.HealthCheckResult;
import io.temporal.failure.ApplicationFailure;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a real HTTP server on loopback that is unhealthy for its first answers. */
class HealthCheckActivitiesImplTest {
  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int unhealthyAnswers;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/healthz",
        exchange -> {
          int n = requests.incrementAndGet();
          exchange.sendResponseHeaders(n <= unhealthyAnswers ? 503 : 200, -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/healthz";
  }

  @Test
  void waitsUntilTheApplicationAnswers2xx() {
    unhealthyAnswers = 2;
    HealthCheckResult result =
        new HealthCheckActivitiesImpl(false)
            .waitHealthy(new HealthCheckInput(url(), "PT10S", "PT0.05S"));
    assertThat(result.healthy()).isTrue();
    assertThat(result.attempts()).isEqualTo(3);
    assertThat(result.lastStatus()).isEqualTo(200);
  }

  @Test
  void failsWithHealthCheckFailedWhenItNeverGetsHealthy() {
    unhealthyAnswers = Integer.MAX_VALUE;
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                new HealthCheckActivitiesImpl(false)
                    .waitHealthy(new HealthCheckInput(url(), "PT3S", "PT0.1S")));
    assertThat(failure.getType()).isEqualTo("HealthCheckFailed");
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .contains("was not healthy within PT3S")
        .contains("HTTP 503");
    assertThat(requests.get()).isGreaterThan(1);
  }

  @Test
  void aConnectionErrorIsReported() {
    int port = server.getAddress().getPort();
    server.stop(0);
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                new HealthCheckActivitiesImpl(false)
                    .waitHealthy(
                        new HealthCheckInput(
                            "http://127.0.0.1:" + port + "/", "PT0.2S", "PT0.1S")));
    assertThat(failure.getOriginalMessage()).contains("ConnectException");
  }

  @Test
  void aBadUrlIsInvalidInput() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                new HealthCheckActivitiesImpl(false)
                    .waitHealthy(new HealthCheckInput("ftp://x", null, null)));
    assertThat(failure.getType()).isEqualTo("InvalidInput");
    assertThat(failure.getOriginalMessage()).contains("healthCheck.url");
  }
}
