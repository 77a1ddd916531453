package io.signalbox.workflows.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.workflows.core.NotifyActivities.Delivery;
import io.signalbox.workflows.core.NotifyActivities.Notification;
import io.signalbox.workflows.core.NotifyActivities.Plan;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * The notifications of one run (issue 12, {@code runbooks/README.md}, "Notifications"): a gate
 * waiting, its deadline near, a refused signal, the run's end. {@link Runbook} calls it at those
 * points; it runs in the workflow thread and is deterministic.
 *
 * <p>What is guaranteed:
 *
 * <ul>
 *   <li>A delivery never fails, delays or changes the run: each is an activity started with {@link
 *       Async} in a detached scope, and no step waits on it. Temporal retries it with backoff (the
 *       one retry layer); what it ends as is kept in the result and evidence ({@link
 *       NotificationOutcome}).
 *   <li>Each event is scheduled once: the activity is a command in the run's history, so a retried
 *       workflow task or a worker restart replays it instead of sending it again.
 *   <li>A receiver may still see an event twice: when a response is lost, the activity's retry
 *       sends it again, with the same {@code Idempotency-Key} (per run, gate and event) so the
 *       receiver can drop the second. Notifiers that accepted it in an earlier attempt are skipped.
 *   <li>Before the run ends it waits at most {@link #FINAL_WAIT} for the deliveries still pending
 *       (the end event among them), so the last message is sent while the run can still receive its
 *       answer. What is still pending then is abandoned on purpose and recorded as ABANDONED: once
 *       the run is closed the server drops its activities.
 * </ul>
 *
 * <p>Changing the command sequence of existing runbooks goes through {@code
 * Workflow.getVersion("notifications")}: a run started before it sends nothing.
 */
public final class Notifications {
  private static final Logger log = Workflow.getLogger(Notifications.class);

  /** The change id: runs that began before notifications existed replay without them. */
  static final String CHANGE_ID = "notifications";

  /** How long the end of a run waits for its pending deliveries. */
  public static final Duration FINAL_WAIT = Duration.ofSeconds(30);

  /** The longest report summary a message carries. */
  static final int SUMMARY = 500;

  private final String runbook;
  private final NotifyActivities planner;
  private final NotifyActivities sender;

  private Plan plan = Plan.NONE;
  private final Map<String, Integer> keys = new HashMap<>();
  private final Map<Notification, Promise<Delivery>> pending = new LinkedHashMap<>();
  private final List<NotificationOutcome> outcomes = new ArrayList<>();
  private CancellationScope deadlineTimer;
  private String endEvent;

  Notifications(String runbook) {
    this.runbook = runbook;
    // An activity, not a local one: a worker that does not register NotifyActivities (an older
    // worker, a test) fails the activity, and the run goes on without notifications; an unknown
    // local activity would fail the workflow task instead.
    this.planner =
        Workflow.newActivityStub(
            NotifyActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(10))
                .setScheduleToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setMaximumAttempts(3)
                        .build())
                .build());
    this.sender =
        Workflow.newActivityStub(
            NotifyActivities.class,
            ActivityOptions.newBuilder()
                // Above the HTTP timeouts of the activity (signalbox.notify.request-timeout).
                .setStartToCloseTimeout(Duration.ofSeconds(60))
                .setScheduleToCloseTimeout(Duration.ofMinutes(30))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(2))
                        .setBackoffCoefficient(2)
                        .setMaximumInterval(Duration.ofMinutes(5))
                        .setDoNotRetry(FailureType.nonRetryableTypes())
                        .build())
                .build());
  }

  /**
   * The input without its {@code notify} part, which the runbook's own input record does not carry:
   * the core reads it here, so no runbook's record has to change.
   */
  static JsonNode inputWithoutNotify(JsonNode raw) {
    if (raw == null || !raw.isObject() || !raw.has("notify")) {
      return raw;
    }
    ObjectNode copy = ((ObjectNode) raw).deepCopy();
    copy.remove("notify");
    return copy;
  }

  /**
   * At the start of a run, once its input is valid: asks a worker which events it delivers and
   * whether it allows the run's topics. A topic the worker does not allow fails the run as {@code
   * InvalidInput}. A worker that does not register {@link NotifyActivities} sends nothing.
   */
  void start(JsonNode rawInput) {
    if (Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return;
    }
    List<String> topics = new ArrayList<>();
    JsonNode t = rawInput == null ? null : rawInput.path("notify").path("topics");
    if (t != null && t.isArray()) {
      t.forEach(topic -> topics.add(topic.asText()));
    }
    Plan planned;
    try {
      planned = planner.plan(new NotifyActivities.PlanRequest(runbook, topics));
    } catch (ActivityFailure failure) {
      log.warn("no notifications for this run: {}", Failures.message(failure));
      return;
    }
    if (planned == null) {
      return;
    }
    if (planned.refused() != null && !planned.refused().isEmpty()) {
      throw FailureType.INVALID_INPUT.failure(
          "Invalid input for " + runbook + ": " + String.join("; ", planned.refused()));
    }
    plan = planned;
  }

  /** Whether some notifier wants this event. */
  boolean wanted(String event) {
    return plan.events() != null && plan.events().contains(event);
  }

  /**
   * A runbook whose end is better told as an event of its own (a DR rehearsal's pass/fail per
   * database) names it here; the end then sends it instead of {@code run-completed} / {@code
   * run-failed}, with the run's verification report.
   */
  public void endAs(String event) {
    this.endEvent = event;
  }

  // ------------------------------------------------------------------ events

  /** A gate opened: tells who must approve, and starts the deadline-near timer. */
  void gateOpened(String gate, Gate open, ApprovalPolicy policy, Duration timeout) {
    cancelDeadlineTimer();
    String workflowId = Workflow.getInfo().getWorkflowId();
    String command = "signalbox approve " + workflowId + " --gate " + gate + " --as NAME";
    if (wanted(NotifyActivities.GATE_WAITING)) {
      ObjectNode d = Json.mapper().createObjectNode();
      d.put("prompt", open.prompt);
      d.put("summary", summary(open.report));
      d.put("since", open.since);
      d.put("deadline", open.deadline);
      d.set("approvers", Json.tree(policy.approversOrAnyone()));
      d.put("needed", policy.needed());
      d.put("planDigest", open.digest);
      d.put("approveCommand", command);
      send(
          NotifyActivities.GATE_WAITING,
          gate,
          runbook + " waits for approval at gate '" + gate + "'",
          open.prompt
              + "\nReport: "
              + summary(open.report)
              + "\nDeadline: "
              + open.deadline
              + " (undecided, the gate rejects itself then)"
              + "\nApprove: "
              + command,
          d);
    }
    Duration lead = lead();
    if (lead == null || !wanted(NotifyActivities.GATE_DEADLINE_NEAR)) {
      return;
    }
    Duration wait = timeout.minus(lead);
    if (wait.isNegative() || wait.isZero()) {
      return; // the gate-waiting message already says how near the deadline is
    }
    String deadline = open.deadline;
    deadlineTimer =
        Workflow.newCancellationScope(
            () ->
                Workflow.newTimer(wait)
                    .handle(
                        (fired, cancelled) -> {
                          if (cancelled == null) {
                            ObjectNode d = Json.mapper().createObjectNode();
                            d.put("deadline", deadline);
                            d.put("lead", lead.toString());
                            d.set("approvedBy", Json.tree(List.copyOf(open.approvedBy)));
                            d.put("needed", policy.needed());
                            d.put("approveCommand", command);
                            send(
                                NotifyActivities.GATE_DEADLINE_NEAR,
                                gate,
                                runbook + ": gate '" + gate + "' closes at " + deadline,
                                "Still undecided ("
                                    + open.approvedBy.size()
                                    + " of "
                                    + policy.needed()
                                    + " approvals). Undecided at "
                                    + deadline
                                    + ", it rejects itself and the run is undone."
                                    + "\nApprove: "
                                    + command,
                                d);
                          }
                          return null;
                        }));
    deadlineTimer.run();
  }

  /** The gate closed (decided, timed out, or the run ended): no deadline-near message after it. */
  void gateClosed() {
    cancelDeadlineTimer();
  }

  /** A refused approve or reject, recorded at a gate. */
  void refused(ApprovalRecord record) {
    if (record == null || record.refusal() == null || !wanted(NotifyActivities.REFUSAL)) {
      return;
    }
    ObjectNode d = Json.mapper().createObjectNode();
    d.put("by", record.by());
    d.put("refusal", record.refusal());
    d.put("comment", record.comment());
    send(
        NotifyActivities.REFUSAL,
        record.gate(),
        runbook + ": a signal from " + record.by() + " was refused",
        "At gate '" + record.gate() + "': " + record.refusal() + ". The gate stays as it was.",
        d);
  }

  /**
   * The end of the run: sends its end event, waits at most {@link #FINAL_WAIT} for what is still
   * pending, and returns the result with every notification's outcome. A child run (a copy, a
   * verification of a rehearsal) leaves its end to its parent.
   */
  RunbookResult finish(RunbookResult result) {
    cancelDeadlineTimer();
    boolean child = Workflow.getInfo().getParentWorkflowId().isPresent();
    String event = endEvent != null ? endEvent : endEvent(result.outcome());
    if (!child && event != null && wanted(event)) {
      ObjectNode d = Json.mapper().createObjectNode();
      d.put("outcome", result.outcome());
      d.put("failureType", result.failureType());
      d.put("message", result.message());
      d.put("requestedBy", result.requestedBy());
      d.put("dryRun", result.dryRun());
      if (result.rtoSeconds() != null) {
        d.put("rtoSeconds", result.rtoSeconds());
      }
      JsonNode databases = result.verification() == null ? null : databases(result.verification());
      if (databases != null) {
        d.set("databases", databases);
        d.put("summary", result.verification().path("summary").asText(null));
      }
      send(event, null, endTitle(result, event), endText(result, databases), d);
    }
    if (pending.isEmpty() && outcomes.isEmpty()) {
      return result;
    }
    if (!pending.values().stream().allMatch(Promise::isCompleted)) {
      // Detached: a cancelled run still waits for its last message (its await would throw).
      Workflow.newDetachedCancellationScope(
              () ->
                  Workflow.await(
                      FINAL_WAIT, () -> pending.values().stream().allMatch(Promise::isCompleted)))
          .run();
    }
    for (Map.Entry<Notification, Promise<Delivery>> p : pending.entrySet()) {
      if (!p.getValue().isCompleted()) {
        Notification n = p.getKey();
        outcomes.add(
            new NotificationOutcome(
                n.key(),
                n.event(),
                n.gate(),
                NotificationOutcome.ABANDONED,
                "still being retried when the run ended (waited " + FINAL_WAIT + ")"));
      }
    }
    return result.withNotifications(List.copyOf(outcomes));
  }

  // ------------------------------------------------------------------ delivery

  private void send(String event, String gate, String title, String text, ObjectNode details) {
    String workflowId = Workflow.getInfo().getWorkflowId();
    String runId = Workflow.getInfo().getRunId();
    String base = workflowId + "/" + runId + "/" + (gate == null ? "-" : gate) + "/" + event;
    int n = keys.merge(base, 1, Integer::sum);
    String key = n == 1 ? base : base + "/" + n;
    Notification notification =
        new Notification(
            key,
            event,
            runbook,
            workflowId,
            runId,
            gate,
            Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString(),
            Limits.cut(title, Limits.NAME),
            Limits.cut(text, Limits.TEXT),
            details,
            plan.topics() == null ? List.of() : plan.topics());
    // Detached: a cancelled run's messages (its cancellation among them) are still delivered.
    Workflow.newDetachedCancellationScope(
            () -> {
              Promise<Delivery> p = Async.function(sender::deliver, notification);
              pending.put(notification, p);
              p.handle(
                  (delivery, failure) -> {
                    outcomes.add(outcome(notification, delivery, failure));
                    return null;
                  });
            })
        .run();
  }

  private static NotificationOutcome outcome(
      Notification n, Delivery delivery, RuntimeException failure) {
    if (failure != null) {
      String why =
          failure instanceof TemporalFailure tf ? Failures.message(tf) : failure.getMessage();
      log.warn("notification {} not delivered: {}", n.key(), why);
      return new NotificationOutcome(
          n.key(), n.event(), n.gate(), NotificationOutcome.FAILED, Limits.cut(why, Limits.TEXT));
    }
    String detail =
        delivery == null || delivery.outcomes() == null || delivery.outcomes().isEmpty()
            ? "no notifier wanted it"
            : delivery.outcomes().stream()
                .map(o -> o.notifier() + ": " + o.detail())
                .collect(Collectors.joining("; "));
    return new NotificationOutcome(
        n.key(), n.event(), n.gate(), NotificationOutcome.DELIVERED, detail);
  }

  private void cancelDeadlineTimer() {
    if (deadlineTimer != null) {
      deadlineTimer.cancel();
      deadlineTimer = null;
    }
  }

  private Duration lead() {
    if (plan.deadlineLead() == null) {
      return null;
    }
    try {
      return Duration.parse(plan.deadlineLead());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ texts

  private static String endEvent(String outcome) {
    if (outcome == null) {
      return null;
    }
    return switch (outcome) {
      case "COMPLETED" -> NotifyActivities.RUN_COMPLETED;
      case "ROLLED_BACK" -> NotifyActivities.RUN_ROLLED_BACK;
      case "CANCELLED" -> NotifyActivities.RUN_CANCELLED;
      case "FAILED" -> NotifyActivities.RUN_FAILED;
      default -> null;
    };
  }

  private String endTitle(RunbookResult result, String event) {
    String what =
        switch (event) {
          case NotifyActivities.RUN_COMPLETED -> "completed";
          case NotifyActivities.RUN_ROLLED_BACK -> "failed and was rolled back";
          case NotifyActivities.RUN_CANCELLED -> "was cancelled";
          case NotifyActivities.RUN_FAILED -> "failed";
          default -> "COMPLETED".equals(result.outcome()) ? "passed" : "did not pass";
        };
    return runbook
        + " "
        + what
        + (result.failureType() == null ? "" : ": " + result.failureType())
        + (result.dryRun() ? " (dry run)" : "");
  }

  private static String endText(RunbookResult result, JsonNode databases) {
    StringBuilder text = new StringBuilder(result.message() == null ? "" : result.message());
    if (databases != null) {
      for (JsonNode db : databases) {
        text.append('\n')
            .append(db.path("name").asText())
            .append(": ")
            .append(db.path("status").asText());
        if (db.hasNonNull("rtoSeconds")) {
          text.append(", RTO ").append(db.path("rtoSeconds").asText()).append(" s");
          if (db.hasNonNull("limitSeconds")) {
            text.append(" (limit ").append(db.path("limitSeconds").asText()).append(" s)");
          }
        }
      }
    }
    return text.toString();
  }

  /** Per database of a report that lists them: name, status, RTO and its limit. */
  private static JsonNode databases(JsonNode verification) {
    JsonNode list = verification.path("databases");
    if (!list.isArray()) {
      return null;
    }
    ArrayNode out = Json.mapper().createArrayNode();
    for (JsonNode db : list) {
      ObjectNode o = out.addObject();
      for (String field :
          List.of("name", "status", "rtoSeconds", "limitSeconds", "rtoWithinLimit", "message")) {
        if (db.hasNonNull(field)) {
          o.set(field, db.get(field));
        }
      }
    }
    return out;
  }

  /**
   * A gate report in a line: its {@code summary} when it has one, else its top-level values, cut to
   * {@link #SUMMARY} characters.
   */
  static String summary(JsonNode report) {
    if (report == null || report.isNull() || report.isEmpty()) {
      return "(no report)";
    }
    if (report.path("summary").isTextual()) {
      return Limits.cut(report.path("summary").asText(), SUMMARY);
    }
    StringBuilder s = new StringBuilder();
    Iterator<Map.Entry<String, JsonNode>> fields = report.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (!s.isEmpty()) {
        s.append(", ");
      }
      JsonNode v = f.getValue();
      s.append(f.getKey())
          .append(": ")
          .append(v.isValueNode() ? v.asText() : v.isArray() ? v.size() + " items" : "{…}");
    }
    return Limits.cut(s.toString(), SUMMARY);
  }
}
