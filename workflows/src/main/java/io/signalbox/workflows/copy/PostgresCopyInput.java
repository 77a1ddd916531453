package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.ApprovalPolicy;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.RunbookInput;
import java.time.Duration;

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
 * @param replacesCopyId with {@code copy.dataOnly}: the copy whose loaded rows this copy's restore
 *     may remove first (a rehearsal replaced by the final copy); null for none
 */
public record PostgresCopyInput(
    String requestedBy,
    Boolean dryRun,
    ApprovalPolicy approvals,
    Endpoint source,
    Endpoint target,
    CopyOptions copy,
    VerifyOptions verify,
    String copyId,
    String replacesCopyId)
    implements RunbookInput {

  /** An input without {@code replacesCopyId}, as inputs were before it. */
  public PostgresCopyInput(
      String requestedBy,
      Boolean dryRun,
      ApprovalPolicy approvals,
      Endpoint source,
      Endpoint target,
      CopyOptions copy,
      VerifyOptions verify,
      String copyId) {
    this(requestedBy, dryRun, approvals, source, target, copy, verify, copyId, null);
  }

  /**
   * @param jobs parallel pg_dump / pg_restore jobs (default 2)
   * @param dumpDir where dumps are written (default: the worker's configured directory)
   * @param compression pg_dump compression level (default 0)
   * @param noOwner restore without owners (default true)
   * @param hostTimeout how long restore and verify may wait on the dump host's task queue for its
   *     worker to pick them up (ISO-8601, default {@code PT10M}); when it passes, the copy is
   *     redone from a fresh dump on any worker
   * @param dataOnly restore the rows only, into a target that already holds the same schema (made
   *     by the app's own migrations): {@code pg_restore --data-only}; its tables must be empty but
   *     for {@code replaceTables} (default false)
   * @param replaceTables with {@code dataOnly}: tables whose rows the restore replaces (e.g. {@code
   *     public.alembic_version}, which the app's migrations filled and the dump holds too)
   * @param resetTarget drop every user object in the target first, then restore everything (default
   *     false): for a target whose pre-made schema is to be replaced by the source's
   */
  public record CopyOptions(
      Integer jobs,
      String dumpDir,
      Integer compression,
      Boolean noOwner,
      String hostTimeout,
      Boolean dataOnly,
      java.util.List<String> replaceTables,
      Boolean resetTarget) {

    /** Options without the data-only fields, as options were before them. */
    public CopyOptions(
        Integer jobs, String dumpDir, Integer compression, Boolean noOwner, String hostTimeout) {
      this(jobs, dumpDir, compression, noOwner, hostTimeout, null, null, null);
    }

    /** Whether the target's user objects are dropped before a full restore. */
    public boolean resetTargetOrDefault() {
      return Boolean.TRUE.equals(resetTarget);
    }

    /** Whether only the rows are restored. */
    public boolean dataOnlyOrDefault() {
      return Boolean.TRUE.equals(dataOnly);
    }

    /** Restore and verify wait this long for the dump host's worker unless the input says. */
    public static final Duration DEFAULT_HOST_TIMEOUT = Duration.ofMinutes(10);

    /**
     * {@code hostTimeout} as a duration, or the default.
     *
     * @throws io.temporal.failure.ApplicationFailure {@code InvalidInput} naming {@code
     *     copy.hostTimeout} when it is not a positive ISO-8601 duration
     */
    public Duration hostTimeoutOrDefault() {
      if (hostTimeout == null) {
        return DEFAULT_HOST_TIMEOUT;
      }
      Duration d;
      try {
        d = Duration.parse(hostTimeout);
      } catch (RuntimeException e) { // DateTimeParseException, or ArithmeticException on overflow
        throw FailureType.INVALID_INPUT.failure(
            "copy.hostTimeout '"
                + shown(hostTimeout)
                + "' is not an ISO-8601 duration: give one such as PT10M or PT1H");
      }
      // Zero would mean "no schedule-to-start timeout" to Temporal: the wait this field bounds.
      if (d.isNegative() || d.isZero()) {
        throw FailureType.INVALID_INPUT.failure(
            "copy.hostTimeout '" + shown(hostTimeout) + "' must be longer than zero, e.g. PT10M");
      }
      return d;
    }

    private static String shown(String value) {
      return value.length() > 40 ? value.substring(0, 40) + "…" : value;
    }
  }

  /**
   * @param checksums compare a content checksum per table, not only row counts (default true)
   */
  public record VerifyOptions(Boolean checksums) {}

  public CopyOptions copyOrDefault() {
    return copy == null ? new CopyOptions(null, null, null, null, null) : copy;
  }

  public boolean checksumsOrDefault() {
    return verify == null || verify.checksums() == null || verify.checksums();
  }
}
