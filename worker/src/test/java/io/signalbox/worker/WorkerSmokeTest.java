package io.signalbox.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.ActiveProfiles;

/**
 * The wiring, once: the {@code dev} profile starts the embedded dev server before the Temporal
 * starter connects, the worker registers, health reports Temporal and Prometheus has the SDK's
 * metrics.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"signalbox.dev-server.port=0", "signalbox.task-queue=smoke-test"})
@ActiveProfiles("dev")
class WorkerSmokeTest {
  private final HttpClient http = HttpClient.newHttpClient();

  @LocalServerPort int port;
  @Autowired SignalboxProperties properties;

  @Test
  void settingsAreBoundAndValidated() {
    assertThat(properties.taskQueue()).isEqualTo("smoke-test");
    assertThat(properties.devServer().port()).isPositive();
    assertThat(properties.evidenceDir()).isNotNull();
  }

  @Test
  void healthReportsTemporalUp() throws Exception {
    HttpResponse<String> health = get("/actuator/health");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body())
        .contains(
            "\"temporal\":{\"details\":{\"target\":\"127.0.0.1:" + properties.devServer().port())
        .contains("\"status\":\"UP\"");
  }

  @Test
  void prometheusExportsTemporalSdkMetrics() throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    String body = "";
    while (Instant.now().isBefore(deadline)) {
      body = get("/actuator/prometheus").body();
      if (body.contains("temporal_long_request_total") || body.contains("temporal_request_total")) {
        break;
      }
      Thread.sleep(500);
    }
    assertThat(body).containsPattern("(?m)^temporal_(long_)?request_total\\{");
    assertThat(body).contains("task_queue=\"smoke-test\"");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
