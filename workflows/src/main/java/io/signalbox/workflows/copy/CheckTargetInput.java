package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.Endpoint;
import java.util.List;

/**
 * Input of {@link PostgresActivities#checkTarget}.
 *
 * @param target the database a restore will write into; its {@code allowNonEmpty} lifts the
 *     empty-database rule
 * @param requiredExtensions extensions the source has (usually {@link
 *     ServerDescription#extensionNames()} of the source): each must be installed on the target or
 *     available there to install
 */
public record CheckTargetInput(Endpoint target, List<String> requiredExtensions) {}
