package io.signalbox.activities.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.activities.notify.NotifySettings.Kind;
import io.signalbox.workflows.core.NotifyActivities;
import io.signalbox.workflows.core.NotifyActivities.Notification;

/**
 * The JSON body each kind of notifier expects for one notification. Pure: no I/O, no secret (tokens
 * go in headers, added by {@link NotifyActivitiesImpl}).
 */
final class Messages {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Messages() {}

  /**
   * @param topic the ntfy topic (ntfy only)
   * @param uiUrl the run in the Temporal UI, or null
   */
  static ObjectNode body(Kind kind, Notification n, String topic, String uiUrl) {
    return switch (kind) {
      case WEBHOOK -> webhook(n, uiUrl);
      case NTFY -> ntfy(n, topic, uiUrl);
      case GOTIFY -> gotify(n, uiUrl);
      case SLACK -> slack(n, uiUrl);
    };
  }

  /** The whole notification, as a receiver's own tooling reads it. */
  static ObjectNode webhook(Notification n, String uiUrl) {
    ObjectNode o = JSON.createObjectNode();
    o.put("idempotencyKey", n.key());
    o.put("event", n.event());
    o.put("runbook", n.runbook());
    o.put("workflowId", n.workflowId());
    o.put("runId", n.runId());
    if (n.gate() != null) {
      o.put("gate", n.gate());
    }
    o.put("at", n.at());
    o.put("title", n.title());
    o.put("text", n.text());
    if (uiUrl != null) {
      o.put("uiUrl", uiUrl);
    }
    o.set("details", n.details() == null ? JSON.createObjectNode() : n.details().deepCopy());
    o.set("topics", JSON.valueToTree(n.topics()));
    return o;
  }

  /** ntfy's JSON publishing (POST to the server's root URL). */
  static ObjectNode ntfy(Notification n, String topic, String uiUrl) {
    ObjectNode o = JSON.createObjectNode();
    o.put("topic", topic);
    o.put("title", n.title());
    o.put("message", text(n, uiUrl));
    o.put("priority", urgent(n) ? 4 : 3);
    o.putArray("tags").add(n.event()).add(n.runbook());
    if (uiUrl != null) {
      o.put("click", uiUrl);
    }
    return o;
  }

  /** Gotify's {@code POST /message}. */
  static ObjectNode gotify(Notification n, String uiUrl) {
    ObjectNode o = JSON.createObjectNode();
    o.put("title", n.title());
    o.put("message", text(n, uiUrl));
    o.put("priority", urgent(n) ? 8 : 5);
    ObjectNode extras = o.putObject("extras");
    if (uiUrl != null) {
      extras.putObject("client::notification").putObject("click").put("url", uiUrl);
    }
    extras
        .putObject("signalbox::event")
        .put("idempotencyKey", n.key())
        .put("event", n.event())
        .put("workflowId", n.workflowId())
        .put("runId", n.runId());
    return o;
  }

  /**
   * A Slack-compatible incoming webhook ({@code text} with mrkdwn; Mattermost and Rocket.Chat too).
   */
  static ObjectNode slack(Notification n, String uiUrl) {
    ObjectNode o = JSON.createObjectNode();
    String link = uiUrl == null ? "" : "\n<" + uiUrl + "|Open the run in the Temporal UI>";
    o.put("text", "*" + n.title() + "*\n" + n.text() + link);
    return o;
  }

  private static String text(Notification n, String uiUrl) {
    return uiUrl == null ? n.text() : n.text() + "\n" + uiUrl;
  }

  /** Someone has to act, or something went wrong. */
  private static boolean urgent(Notification n) {
    return switch (n.event()) {
      case NotifyActivities.GATE_WAITING,
          NotifyActivities.GATE_DEADLINE_NEAR,
          NotifyActivities.RUN_FAILED ->
          true;
      default -> false;
    };
  }
}
