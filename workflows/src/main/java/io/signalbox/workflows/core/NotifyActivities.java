package io.signalbox.workflows.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Tells people about a run where they already look: a generic JSON webhook, ntfy, Gotify or a
 * Slack-compatible incoming webhook, as the worker configures them ({@code signalbox.notify.*},
 * {@code runbooks/README.md}, "Notifications"). The workflow never waits on a delivery to go on;
 * see {@link Notifications}.
 */
@ActivityInterface(namePrefix = "Notify")
public interface NotifyActivities {

  /** A gate is waiting for approval. */
  String GATE_WAITING = "gate-waiting";

  /** A gate's deadline is near and it is still undecided. */
  String GATE_DEADLINE_NEAR = "gate-deadline-near";

  /** An approval or rejection was refused at a gate (recorded, the gate stays open). */
  String REFUSAL = "refusal";

  /** The run completed. */
  String RUN_COMPLETED = "run-completed";

  /** The run failed and what it changed could not all be undone (or there was nothing to undo). */
  String RUN_FAILED = "run-failed";

  /** The run failed and everything it changed was undone. */
  String RUN_ROLLED_BACK = "run-rolled-back";

  /** The run was cancelled; its undos ran. */
  String RUN_CANCELLED = "run-cancelled";

  /** A DR rehearsal finished, passed or not: pass/fail and RTO per database. */
  String DR_REHEARSAL_FINISHED = "dr-rehearsal-finished";

  /** Every event, in the order above. */
  List<String> EVENTS =
      List.of(
          GATE_WAITING,
          GATE_DEADLINE_NEAR,
          REFUSAL,
          RUN_COMPLETED,
          RUN_FAILED,
          RUN_ROLLED_BACK,
          RUN_CANCELLED,
          DR_REHEARSAL_FINISHED);

  /**
   * What a run asks for at its start.
   *
   * @param runbook the workflow type
   * @param topics the input's {@code notify.topics}: extra recipients for this run
   */
  record PlanRequest(String runbook, List<String> topics) {}

  /**
   * What this worker delivers for the run: read once at the run's start (a local activity, so it is
   * recorded in history and the workflow stays deterministic).
   *
   * @param events the events at least one notifier wants; the run schedules no delivery for others
   * @param topics the run's topics the worker allows
   * @param refused one line per topic the worker does not allow, naming the field
   * @param deadlineLead how long before a gate's deadline {@code gate-deadline-near} is sent
   *     (ISO-8601), or null for never
   */
  record Plan(List<String> events, List<String> topics, List<String> refused, String deadlineLead) {
    /** A worker without notifiers (or one that does not register this activity). */
    public static final Plan NONE = new Plan(List.of(), List.of(), List.of(), null);
  }

  /**
   * One event of one run. Carries no secret: tokens and URLs with secrets stay in the worker's
   * configuration and are resolved by the activity.
   *
   * @param key the idempotency key, {@code <workflowId>/<runId>/<gate or ->/<event>[/<n>]}: the
   *     same for every attempt of this delivery, sent as the {@code Idempotency-Key} header
   * @param event one of {@link #EVENTS}
   * @param runbook the workflow type
   * @param workflowId the run's workflow id
   * @param runId the run's run id
   * @param gate the gate, for gate events
   * @param at when it happened (ISO-8601, workflow time)
   * @param title one line
   * @param text a few lines a person reads on a phone
   * @param details the event's fields (deadline, approve command, failure type, databases, …)
   * @param topics the run's allowed topics
   */
  record Notification(
      String key,
      String event,
      String runbook,
      String workflowId,
      String runId,
      @JsonInclude(JsonInclude.Include.NON_NULL) String gate,
      String at,
      String title,
      String text,
      JsonNode details,
      List<String> topics) {}

  /**
   * What one notifier did with one event.
   *
   * @param notifier the notifier's configured name
   * @param delivered whether it accepted the message (HTTP 2xx)
   * @param detail e.g. {@code HTTP 200}, or why it failed (never a secret)
   */
  record NotifierOutcome(String notifier, boolean delivered, String detail) {}

  /**
   * @param outcomes one per notifier the event was meant for (none when none wants it)
   */
  record Delivery(List<NotifierOutcome> outcomes) {}

  /** The events the worker's notifiers want, and which of the run's topics it allows. */
  Plan plan(PlanRequest request);

  /**
   * Sends one event to every notifier that wants it. Fails (and is retried by Temporal) while any
   * of them has not accepted it; notifiers that already accepted it in an earlier attempt are not
   * sent it again (the attempt's heartbeat details say which).
   */
  Delivery deliver(Notification notification);
}
