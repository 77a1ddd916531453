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
 * @param dataOnly the restore will load rows only into a schema that is there already, or drop what
 *     is there first: user tables are expected (the restore itself guards them)
 */
public record CheckTargetInput(Endpoint target, List<String> requiredExtensions, Boolean dataOnly) {

  /** A check for a full restore. */
  public CheckTargetInput(Endpoint target, List<String> requiredExtensions) {
    this(target, requiredExtensions, null);
  }
}
