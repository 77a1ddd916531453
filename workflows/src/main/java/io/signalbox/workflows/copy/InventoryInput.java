package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.Endpoint;

/**
 * Input of {@link PostgresActivities#inventory}.
 *
 * @param endpoint the database
 */
public record InventoryInput(Endpoint endpoint) {}
