package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.Endpoint;

/**
 * Input of {@link PostgresActivities#freeze}.
 *
 * @param endpoint the database to freeze (connects to it)
 * @param requestId identifies this freeze (made with {@code Workflow.randomUUID()}); recorded on
 *     the database so a retried freeze knows it was its own, and {@link UnfreezeInput} can lift
 *     only its own freeze
 */
public record FreezeInput(Endpoint endpoint, String requestId) {}
