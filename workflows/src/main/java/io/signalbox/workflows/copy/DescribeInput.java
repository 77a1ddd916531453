package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.Endpoint;

/**
 * Input of {@link PostgresActivities#describe}.
 *
 * @param endpoint the database to describe
 */
public record DescribeInput(Endpoint endpoint) {}
