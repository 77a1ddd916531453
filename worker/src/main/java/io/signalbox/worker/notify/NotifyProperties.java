package io.signalbox.worker.notify;

import io.signalbox.activities.notify.NotifySettings;
import io.signalbox.activities.notify.NotifySettings.Kind;
import io.signalbox.workflows.core.SecretRef;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where this worker sends notifications, under {@code signalbox.notify.*} (see {@code
 * runbooks/README.md}, "Notifications", and the comments in {@code application.yaml}). Every value
 * can come from the environment, list entries too: {@code SIGNALBOX_NOTIFY_NOTIFIERS_0_KIND=ntfy},
 * {@code SIGNALBOX_NOTIFY_NOTIFIERS_0_URL=https://ntfy.sh}, …
 *
 * @param uiBaseUrl the Temporal UI's address; messages then link to the run (unset: no link)
 * @param allowedTopics the topics a run may add with {@code notify.topics} in its input (unset:
 *     none)
 * @param deadlineLead how long before an undecided gate's deadline {@code gate-deadline-near} is
 *     sent (default PT1H; PT0S: never)
 * @param requestTimeout connect and request timeout of one HTTP call (default PT10S, at most PT30S:
 *     below the delivery activity's start-to-close timeout)
 * @param notifiers the notifiers (none by default: runs send nothing)
 */
@ConfigurationProperties("signalbox.notify")
@Validated
public record NotifyProperties(
    String uiBaseUrl,
    List<String> allowedTopics,
    @DefaultValue("PT1H") @NotNull Duration deadlineLead,
    @DefaultValue("PT10S") @NotNull Duration requestTimeout,
    List<@Valid Notifier> notifiers) {

  /**
   * One notifier.
   *
   * @param name its name, in logs and evidence
   * @param kind {@code webhook}, {@code ntfy}, {@code gotify} or {@code slack} (Slack-compatible:
   *     Mattermost and Rocket.Chat too)
   * @param url where to send (ntfy, Gotify: the server's root URL)
   * @param urlRef the URL as a secret reference instead, when it carries one (a Slack webhook):
   *     {@code env}, {@code file} or {@code secret}
   * @param token a secret reference to a bearer token (webhook, ntfy) or Gotify app token
   * @param topic the ntfy topic
   * @param events the events it gets (unset: all)
   */
  public record Notifier(
      @NotBlank String name,
      @NotNull Kind kind,
      String url,
      SecretRef urlRef,
      SecretRef token,
      String topic,
      List<String> events) {}

  /** As the activities take them. */
  public NotifySettings settings() {
    return new NotifySettings(
        uiBaseUrl == null || uiBaseUrl.isBlank() ? null : uiBaseUrl,
        allowedTopics == null
            ? List.of()
            : allowedTopics.stream().filter(t -> !t.isBlank()).toList(),
        deadlineLead,
        requestTimeout,
        notifiers == null
            ? List.of()
            : notifiers.stream()
                .map(
                    n ->
                        new NotifySettings.Notifier(
                            n.name(),
                            n.kind(),
                            n.url() == null || n.url().isBlank() ? null : n.url(),
                            n.urlRef(),
                            n.token(),
                            n.topic(),
                            n.events()))
                .toList());
  }
}
