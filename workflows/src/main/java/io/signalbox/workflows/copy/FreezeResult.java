package io.signalbox.workflows.copy;

/**
 * Result of {@link PostgresActivities#freeze}.
 *
 * @param database the database name
 * @param alreadyFrozen the database was frozen before this request (by somebody else, or by a
 *     request that did not record an id): the undo must not lift that freeze
 * @param frozenBy the request id recorded on the database, or null when none
 * @param sessionsTerminated other sessions of the database that were ended
 */
public record FreezeResult(
    String database, boolean alreadyFrozen, String frozenBy, int sessionsTerminated) {}
