package io.signalbox.activities.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.activities.notify.NotifySettings.Kind;
import io.signalbox.activities.notify.NotifySettings.Notifier;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.NotifyActivities;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers notifications to the notifiers of {@link NotifySettings} with the JDK's HTTP client.
 *
 * <p>One retry layer: an HTTP call is made once per attempt, with timeouts below the activity's
 * start-to-close; a notifier that did not accept the message fails the attempt and Temporal retries
 * it with backoff. Notifiers that accepted it are kept in the heartbeat details, so a retry sends
 * only to the others. Every request carries the notification's key as {@code Idempotency-Key}, so a
 * receiver can drop the copy a retry sends after a lost response.
 *
 * <p>Secrets (tokens, URLs given as references) are resolved per call and never logged, never put
 * in a message or outcome: any text that goes back to the workflow has them replaced.
 */
public class NotifyActivitiesImpl implements NotifyActivities {
  private static final Logger log = LoggerFactory.getLogger(NotifyActivitiesImpl.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final NotifySettings settings;
  private final Function<SecretRef, String> secrets;
  private final HttpClient http;

  /**
   * @param settings the worker's notifiers
   * @param secrets resolves tokens and URL references (the worker's {@code SecretResolver})
   */
  public NotifyActivitiesImpl(NotifySettings settings, Function<SecretRef, String> secrets) {
    this.settings = settings == null ? NotifySettings.NONE : settings;
    this.secrets = secrets;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(this.settings.requestTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  public NotifySettings settings() {
    return settings;
  }

  @Override
  public Plan plan(PlanRequest request) {
    Set<String> events = new LinkedHashSet<>();
    for (String event : EVENTS) {
      if (settings.notifiers().stream().anyMatch(n -> n.wants(event))) {
        events.add(event);
      }
    }
    List<String> topics = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    List<String> asked = request.topics() == null ? List.of() : request.topics();
    for (int i = 0; i < asked.size(); i++) {
      String topic = asked.get(i);
      if (settings.allowedTopics().contains(topic)) {
        if (!topics.contains(topic)) {
          topics.add(topic);
        }
      } else {
        refused.add(
            "$.notify.topics["
                + i
                + "]: '"
                + topic
                + "' is not allowed on this worker; allowed: "
                + (settings.allowedTopics().isEmpty()
                    ? "none (signalbox.notify.allowed-topics)"
                    : String.join(", ", settings.allowedTopics())));
      }
    }
    boolean lead = settings.deadlineLead() != null && !settings.deadlineLead().isZero();
    return new Plan(
        List.copyOf(events), topics, refused, lead ? settings.deadlineLead().toString() : null);
  }

  @Override
  public Delivery deliver(Notification notification) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    Set<String> done = new LinkedHashSet<>();
    Optional<String[]> earlier = ctx.getHeartbeatDetails(String[].class);
    earlier.ifPresent(names -> done.addAll(List.of(names)));
    String uiUrl = uiUrl(ctx.getInfo().getNamespace(), notification);

    List<NotifierOutcome> outcomes = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    boolean retryable = false;
    for (Notifier notifier : settings.notifiers()) {
      if (!notifier.wants(notification.event())) {
        continue;
      }
      if (done.contains(notifier.name())) {
        outcomes.add(new NotifierOutcome(notifier.name(), true, "accepted in an earlier attempt"));
        continue;
      }
      Sent sent = send(notifier, notification, uiUrl);
      if (sent.accepted()) {
        done.add(notifier.name());
        ctx.heartbeat(done.toArray(new String[0]));
        outcomes.add(new NotifierOutcome(notifier.name(), true, sent.detail()));
      } else {
        retryable |= sent.retryable();
        failed.add(notifier.name() + ": " + sent.detail());
        log.warn(
            "notification {} to {} failed (attempt {}): {}",
            notification.key(),
            notifier.name(),
            ctx.getInfo().getAttempt(),
            sent.detail());
      }
    }
    if (!failed.isEmpty()) {
      String message = "not delivered to " + String.join("; ", failed);
      if (retryable) {
        throw ApplicationFailure.newFailure(message, FailureType.TRANSIENT.type());
      }
      throw ApplicationFailure.newNonRetryableFailure(
          message + " (refused by the receiver: retrying will not help)",
          FailureType.PRECONDITION_FAILED.type());
    }
    log.info("notification {} delivered: {}", notification.key(), outcomes);
    return new Delivery(outcomes);
  }

  /** The outcome of one HTTP call: accepted (2xx), or why not (no secret in it). */
  private record Sent(boolean accepted, boolean retryable, String detail) {}

  private Sent send(Notifier notifier, Notification n, String uiUrl) {
    List<String> resolved = new ArrayList<>();
    try {
      String url =
          notifier.urlRef() != null ? resolve(notifier.urlRef(), resolved) : notifier.url();
      String token = notifier.token() == null ? null : resolve(notifier.token(), resolved);
      List<String> topics = new ArrayList<>();
      if (notifier.kind() == Kind.NTFY) {
        topics.add(notifier.topic());
        for (String t : n.topics()) {
          if (!topics.contains(t)) {
            topics.add(t);
          }
        }
      } else {
        topics.add(null);
      }
      List<String> details = new ArrayList<>();
      for (String topic : topics) {
        ObjectNode body = Messages.body(notifier.kind(), n, topic, uiUrl);
        HttpRequest.Builder request =
            HttpRequest.newBuilder(target(notifier.kind(), url))
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", n.key())
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
          if (notifier.kind() == Kind.GOTIFY) {
            request.header("X-Gotify-Key", token);
          } else {
            request.header("Authorization", "Bearer " + token);
          }
        }
        HttpResponse<Void> response =
            http.send(request.build(), HttpResponse.BodyHandlers.discarding());
        int status = response.statusCode();
        if (status < 200 || status >= 300) {
          // 4xx but 408/429: the receiver refuses this message; more tries will not change that.
          boolean retryable = status >= 500 || status == 408 || status == 429;
          return new Sent(
              false, retryable, "HTTP " + status + (topic == null ? "" : " (topic " + topic + ")"));
        }
        details.add("HTTP " + status + (topic == null ? "" : " (topic " + topic + ")"));
      }
      return new Sent(true, false, String.join(", ", details));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Sent(false, true, "interrupted");
    } catch (IOException | RuntimeException e) {
      String why =
          e instanceof ApplicationFailure af
              ? af.getOriginalMessage()
              : e.getClass().getSimpleName()
                  + (e.getMessage() == null ? "" : ": " + e.getMessage());
      return new Sent(false, true, scrub(why, resolved));
    }
  }

  private String resolve(SecretRef ref, List<String> resolved) {
    String value = secrets.apply(ref);
    if (value != null && !value.isEmpty()) {
      resolved.add(value);
    }
    return value;
  }

  /** Replaces every resolved secret in a text that may go to the log, history or evidence. */
  private static String scrub(String text, List<String> resolved) {
    String out = text;
    for (String secret : resolved) {
      out = out.replace(secret, "[secret]");
    }
    return out;
  }

  private static URI target(Kind kind, String url) {
    String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    return URI.create(kind == Kind.GOTIFY ? base + "/message" : base);
  }

  private String uiUrl(String namespace, Notification n) {
    String base = settings.uiBaseUrl();
    if (base == null || base.isBlank()) {
      return null;
    }
    String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    return root
        + "/namespaces/"
        + enc(namespace)
        + "/workflows/"
        + enc(n.workflowId())
        + "/"
        + enc(n.runId())
        + "/history";
  }

  private static String enc(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
