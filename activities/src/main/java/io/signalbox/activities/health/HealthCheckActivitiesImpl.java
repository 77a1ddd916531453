package io.signalbox.activities.health;

import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.HealthCheckActivities;
import io.temporal.activity.Activity;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a health URL with the JDK's HTTP client, heartbeating after every attempt so that a cancel
 * or a lost worker ends the wait quickly.
 */
public class HealthCheckActivitiesImpl implements HealthCheckActivities {
  private static final Logger log = LoggerFactory.getLogger(HealthCheckActivitiesImpl.class);

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();
  private final boolean inActivity;

  /** For the worker: heartbeats through the activity context. */
  public HealthCheckActivitiesImpl() {
    this(true);
  }

  HealthCheckActivitiesImpl(boolean inActivity) {
    this.inActivity = inActivity;
  }

  @Override
  public HealthCheckResult waitHealthy(HealthCheckInput input) {
    URI uri = parse(input.url());
    Duration timeout = duration(input.timeout(), Duration.ofMinutes(5), "timeout");
    Duration interval = duration(input.interval(), Duration.ofSeconds(5), "interval");
    long start = System.nanoTime();
    long deadline = start + timeout.toNanos();
    int attempts = 0;
    int lastStatus = 0;
    String lastError = null;
    while (true) {
      attempts++;
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        lastStatus = response.statusCode();
        lastError = null;
        if (lastStatus >= 200 && lastStatus < 300) {
          long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
          log.info("{} healthy after {} attempts ({} ms)", uri, attempts, ms);
          return new HealthCheckResult(true, attempts, lastStatus, null, ms);
        }
      } catch (IOException e) {
        lastError = e.getClass().getSimpleName() + ": " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while checking " + uri, e);
      }
      if (inActivity) {
        // Throws when the activity is cancelled or its heartbeat timed out: the wait ends here.
        Activity.getExecutionContext()
            .heartbeat("attempt " + attempts + ": " + (lastError != null ? lastError : lastStatus));
      }
      if (System.nanoTime() + interval.toNanos() > deadline) {
        break;
      }
      sleep(interval);
    }
    throw FailureType.HEALTH_CHECK_FAILED.failure(
        uri
            + " was not healthy within "
            + timeout
            + " ("
            + attempts
            + " attempts; last: "
            + (lastError != null ? lastError : "HTTP " + lastStatus)
            + ")");
  }

  private static URI parse(String url) {
    try {
      URI uri = URI.create(url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        throw new IllegalArgumentException("not http(s)");
      }
      return uri;
    } catch (IllegalArgumentException | NullPointerException e) {
      throw FailureType.INVALID_INPUT.failure(
          "healthCheck.url '" + url + "' is not an http(s) URL");
    }
  }

  private static Duration duration(String value, Duration fallback, String field) {
    if (value == null) {
      return fallback;
    }
    try {
      return Duration.parse(value);
    } catch (RuntimeException e) {
      throw FailureType.INVALID_INPUT.failure(
          "healthCheck." + field + " '" + value + "' is not an ISO-8601 duration such as PT5M");
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
