package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.Endpoint;

/**
 * Input of {@link PostgresActivities#sequences}.
 *
 * @param endpoint the database
 */
public record SequencesInput(Endpoint endpoint) {}
