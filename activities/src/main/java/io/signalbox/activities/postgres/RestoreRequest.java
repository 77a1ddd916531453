package io.signalbox.activities.postgres;

import io.signalbox.workflows.core.Endpoint;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A {@code pg_restore} of a directory-format dump into a target database.
 *
 * <p>The target must hold no user objects unless {@code target.allowNonEmpty}: the restore marks
 * the database as its own (a {@code COMMENT ON DATABASE} naming {@code copyId}) before it writes
 * anything, so a retried attempt of the same copy knows that what it finds is its own earlier
 * attempt's work and removes it first; anything else is refused.
 *
 * @param target the database to restore into; its password is resolved on the worker
 * @param dir the dump directory
 * @param jobs pg_restore's {@code -j} (default 2)
 * @param noOwner {@code --no-owner}: objects belong to the target user (default true)
 * @param noPrivileges {@code --no-privileges}: skip GRANT/REVOKE (default false)
 * @param copyId identifies the copy; required, stable across retries of the same restore
 * @param timeout pg_restore is killed after this long (default 6 hours); keep it below the
 *     activity's start-to-close timeout
 * @param dataOnly {@code --data-only} into the schema that is there (see {@link
 *     RestoreTargetGuard#prepareDataOnly})
 * @param replaceTables with {@code dataOnly}: tables ({@code schema.table}) whose rows are replaced
 * @param replacesCopyId with {@code dataOnly}: a copy whose loaded rows may be truncated first
 * @param resetTarget drop every user object of the target first (a full restore)
 */
public record RestoreRequest(
    Endpoint target,
    Path dir,
    Integer jobs,
    Boolean noOwner,
    Boolean noPrivileges,
    String copyId,
    Duration timeout,
    Boolean dataOnly,
    java.util.List<String> replaceTables,
    String replacesCopyId,
    Boolean resetTarget) {

  /** A full restore. */
  public RestoreRequest(
      Endpoint target,
      Path dir,
      Integer jobs,
      Boolean noOwner,
      Boolean noPrivileges,
      String copyId,
      Duration timeout) {
    this(target, dir, jobs, noOwner, noPrivileges, copyId, timeout, null, null, null, null);
  }

  public boolean dataOnlyOrDefault() {
    return Boolean.TRUE.equals(dataOnly);
  }

  public int jobsOrDefault() {
    return jobs == null ? 2 : Math.max(1, jobs);
  }

  public boolean noOwnerOrDefault() {
    return noOwner == null || noOwner;
  }

  public boolean noPrivilegesOrDefault() {
    return Boolean.TRUE.equals(noPrivileges);
  }

  public Duration timeoutOrDefault() {
    return timeout == null ? Duration.ofHours(6) : timeout;
  }
}
