package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.Endpoint;

/**
 * Input of {@link PostgresActivities#unfreeze}.
 *
 * @param endpoint the database to unfreeze
 * @param requestId the {@link FreezeInput#requestId()} of the freeze to lift; a freeze recorded
 *     with another id (or none) is left in place unless {@code force}
 * @param force lift any freeze (an operator's explicit rollback)
 */
public record UnfreezeInput(Endpoint endpoint, String requestId, Boolean force) {}
