package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.ApprovalPolicy;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.RunbookInput;

/**
 * Input of {@code PostgresCopy}: dump {@code source}, restore into {@code target}, verify.
 *
 * @param requestedBy who starts it
 * @param dryRun report sizes, counts and the plan; change nothing
 * @param approvals unused by the copy itself (it has no gates); accepted for symmetry
 * @param source the database to copy (only read)
 * @param target the database to restore into
 * @param copy dump and restore options
 * @param verify verification options
 * @param copyId names the dump and marks what the restore creates (default: the workflow id)
 */
public record PostgresCopyInput(
    String requestedBy,
    Boolean dryRun,
    ApprovalPolicy approvals,
    Endpoint source,
    Endpoint target,
    CopyOptions copy,
    VerifyOptions verify,
    String copyId)
    implements RunbookInput {

  /**
   * @param jobs parallel pg_dump / pg_restore jobs (default 2)
   * @param dumpDir where dumps are written (default: the worker's configured directory)
   * @param compression pg_dump compression level (default 0)
   * @param noOwner restore without owners (default true)
   */
  public record CopyOptions(Integer jobs, String dumpDir, Integer compression, Boolean noOwner) {}

  /**
   * @param checksums compare a content checksum per table, not only row counts (default true)
   */
  public record VerifyOptions(Boolean checksums) {}

  public CopyOptions copyOrDefault() {
    return copy == null ? new CopyOptions(null, null, null, null) : copy;
  }

  public boolean checksumsOrDefault() {
    return verify == null || verify.checksums() == null || verify.checksums();
  }
}
