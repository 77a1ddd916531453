package io.signalbox.activities.notify;

import io.signalbox.workflows.core.NotifyActivities;
import io.signalbox.workflows.core.SecretRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a worker sends notifications ({@code signalbox.notify.*}; the worker binds it from its
 * configuration). Secrets (tokens, webhook URLs that carry one) are {@link SecretRef}s, resolved
 * when a message is sent.
 *
 * @param uiBaseUrl the Temporal UI's address, e.g. {@code http://localhost:8080}; messages then
 *     link to the run; null: no link
 * @param allowedTopics the topics a run may add in its input ({@code notify.topics}); empty: none
 * @param deadlineLead how long before a gate's deadline {@code gate-deadline-near} is sent; null or
 *     zero: never
 * @param requestTimeout connect and request timeout of one HTTP call, below the activity's
 *     start-to-close timeout (60 s)
 * @param notifiers the notifiers
 */
public record NotifySettings(
    String uiBaseUrl,
    List<String> allowedTopics,
    Duration deadlineLead,
    Duration requestTimeout,
    List<Notifier> notifiers) {

  /** The longest HTTP call; the activity's start-to-close timeout is 60 s. */
  public static final Duration MAX_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** No notifier: every run sends nothing. */
  public static final NotifySettings NONE =
      new NotifySettings(null, List.of(), null, Duration.ofSeconds(10), List.of());

  public NotifySettings {
    allowedTopics = allowedTopics == null ? List.of() : List.copyOf(allowedTopics);
    notifiers = notifiers == null ? List.of() : List.copyOf(notifiers);
    if (requestTimeout == null || requestTimeout.isZero() || requestTimeout.isNegative()) {
      requestTimeout = Duration.ofSeconds(10);
    }
    if (requestTimeout.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
      requestTimeout = MAX_REQUEST_TIMEOUT;
    }
  }

  /** What is wrong with the configuration, one line per problem naming the property. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < notifiers.size(); i++) {
      Notifier n = notifiers.get(i);
      String at = "signalbox.notify.notifiers[" + i + "]";
      if (n.name() == null || n.name().isBlank()) {
        problems.add(at + ".name: give the notifier a name (it appears in the evidence)");
      }
      if (n.kind() == null) {
        problems.add(at + ".kind: one of webhook, ntfy, gotify, slack");
      }
      if ((n.url() == null || n.url().isBlank()) && n.urlRef() == null) {
        problems.add(at + ".url: set url, or url-ref when the URL itself is a secret");
      }
      if (n.kind() == Kind.NTFY && (n.topic() == null || n.topic().isBlank())) {
        problems.add(at + ".topic: ntfy needs a topic");
      }
      if (n.kind() == Kind.GOTIFY && n.token() == null) {
        problems.add(at + ".token: Gotify needs an application token reference");
      }
      for (String event : n.events()) {
        if (!NotifyActivities.EVENTS.contains(event)) {
          problems.add(
              at + ".events: unknown event '" + event + "'; known: " + NotifyActivities.EVENTS);
        }
      }
    }
    return problems;
  }

  /** The kinds of notifier. */
  public enum Kind {
    /** A generic JSON webhook: the whole notification as JSON. */
    WEBHOOK,
    /** ntfy (ntfy.sh or self-hosted): JSON publishing to the server's root URL. */
    NTFY,
    /** Gotify: {@code POST /message} with an application token. */
    GOTIFY,
    /** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): {@code {"text"}}. */
    SLACK;

    public static Kind parse(String s) {
      return s == null ? null : Kind.valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
  }

  /**
   * One notifier.
   *
   * @param name its name, in logs and evidence
   * @param kind webhook, ntfy, gotify or slack
   * @param url where to send; for ntfy the server's root ({@code https://ntfy.sh}), for Gotify the
   *     server's root; a URL that carries a secret (a Slack webhook) goes in {@code urlRef}
   * @param urlRef the URL as a secret reference, instead of {@code url}
   * @param token a bearer token (webhook, ntfy) or Gotify application token, as a reference
   * @param topic the ntfy topic
   * @param events the events it gets; empty: all
   */
  public record Notifier(
      String name,
      Kind kind,
      String url,
      SecretRef urlRef,
      SecretRef token,
      String topic,
      List<String> events) {
    public Notifier {
      events = events == null ? List.of() : List.copyOf(events);
    }

    /** Whether it gets this event. */
    public boolean wants(String event) {
      return events.isEmpty() || events.contains(event);
    }
  }
}
