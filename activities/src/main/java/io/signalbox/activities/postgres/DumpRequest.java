package io.signalbox.activities.postgres;

import io.signalbox.workflows.core.Endpoint;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A {@code pg_dump} in directory format.
 *
 * @param source the database to dump; its password is resolved on the worker
 * @param dir the dump directory: must not exist, be empty, or hold an earlier pg_dump attempt
 *     (which is removed)
 * @param jobs pg_dump's {@code -j} (default 2)
 * @param compression pg_dump's {@code -Z} level (default 0: on 2 cores compression makes the dump
 *     about 4 times slower)
 * @param snapshotId an exported snapshot to dump ({@code --snapshot}); its transaction must stay
 *     open until pg_dump ends. Null for pg_dump's own snapshot
 * @param copyId the copy this dump belongs to, for the manifest and the session name
 * @param timeout pg_dump is killed after this long (default 6 hours); keep it below the activity's
 *     start-to-close timeout
 */
public record DumpRequest(
    Endpoint source,
    Path dir,
    Integer jobs,
    Integer compression,
    String snapshotId,
    String copyId,
    Duration timeout) {

  public int jobsOrDefault() {
    return jobs == null ? 2 : Math.max(1, jobs);
  }

  public int compressionOrDefault() {
    return compression == null ? 0 : compression;
  }

  public Duration timeoutOrDefault() {
    return timeout == null ? Duration.ofHours(6) : timeout;
  }

  /** The same request dumping the given snapshot. */
  public DumpRequest withSnapshot(String id) {
    return new DumpRequest(source, dir, jobs, compression, id, copyId, timeout);
  }
}
