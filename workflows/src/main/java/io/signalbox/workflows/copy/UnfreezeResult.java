package io.signalbox.workflows.copy;

/**
 * Result of {@link PostgresActivities#unfreeze}.
 *
 * @param database the database name
 * @param wasFrozen the database was frozen when the request came
 * @param unfrozen this request lifted the freeze
 * @param note why a freeze was left in place, or null
 */
public record UnfreezeResult(String database, boolean wasFrozen, boolean unfrozen, String note) {}
