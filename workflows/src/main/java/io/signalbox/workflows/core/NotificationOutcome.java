package io.signalbox.workflows.core;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What became of one notification of a run, as its result and evidence show it. A failed delivery
 * never changes the run's outcome; it is recorded here.
 *
 * @param key the idempotency key the receivers got
 * @param event the event (see {@link NotifyActivities#EVENTS})
 * @param gate the gate, for gate events
 * @param status DELIVERED (every notifier that wanted it accepted it), FAILED (not all did, after
 *     Temporal's retries) or ABANDONED (still being retried when the run ended)
 * @param detail per notifier, e.g. {@code ntfy: HTTP 200}, or why it failed (never a secret)
 */
public record NotificationOutcome(
    String key,
    String event,
    @JsonInclude(JsonInclude.Include.NON_NULL) String gate,
    String status,
    String detail) {
  public static final String DELIVERED = "DELIVERED";
  public static final String FAILED = "FAILED";
  public static final String ABANDONED = "ABANDONED";
}
