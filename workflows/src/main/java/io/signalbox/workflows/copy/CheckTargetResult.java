package io.signalbox.workflows.copy;

import java.util.List;

/**
 * The target passed {@link PostgresActivities#checkTarget}.
 *
 * @param target the target as described
 * @param userTables the target's user tables (at most 50, schema-qualified); empty unless {@code
 *     allowNonEmpty}
 * @param extensionsToCreate required extensions that are available but not installed: the restore
 *     creates them, which needs the privilege to do so
 */
public record CheckTargetResult(
    ServerDescription target, List<String> userTables, List<String> extensionsToCreate) {}
