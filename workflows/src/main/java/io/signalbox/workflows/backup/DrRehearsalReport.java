package io.signalbox.workflows.backup;

import io.signalbox.workflows.backup.BackupHistoryActivities.PastRun;
import java.util.List;

/**
 * The one report of a {@code DrRehearsal}: the {@code verification} of its result and evidence.
 *
 * @param rehearsedAt when the report was made (ISO-8601, workflow time)
 * @param maxAge the input's {@code maxAge}
 * @param parallelism how many verifications ran at once at most
 * @param summary one line, e.g. {@code 1 of 2 databases passed; FAILED: gitea@db}
 * @param passed how many databases passed
 * @param failed how many failed now while a success within {@code maxAge} still stands
 * @param stale how many did not pass now and have no success within {@code maxAge}
 * @param history null, or why no history could be read (then no database can be told STALE)
 * @param databases one entry per database, in input order
 */
public record DrRehearsalReport(
    String rehearsedAt,
    String maxAge,
    int parallelism,
    String summary,
    int passed,
    int failed,
    int stale,
    String history,
    List<Entry> databases) {

  /** PASSED: this run's verification passed. */
  public static final String PASSED = "PASSED";

  /** FAILED: this run's verification failed; a success within {@code maxAge} still stands. */
  public static final String FAILED = "FAILED";

  /**
   * STALE: this run's verification did not pass and the newest previous success is older than
   * {@code maxAge} (or there is none): the database has no proven restore within its limit.
   */
  public static final String STALE = "STALE";

  /** PLANNED: a dry run's child completed its plan; nothing was restored. */
  public static final String PLANNED = "PLANNED";

  /**
   * @param name the database name ({@code name}, default {@code <database>@<host>})
   * @param status PASSED, FAILED, STALE or (dry run) PLANNED
   * @param message the verification's failure message, when it did not pass
   * @param failureType the verification's failure type, when it did not pass
   * @param childWorkflowId the child {@code BackupVerification}'s workflow id
   * @param evidenceId the child's evidence id, when it wrote one
   * @param rtoSeconds this run's measured restore time, when it restored
   * @param limitSeconds the limit ({@code maxRestoreTime}) in seconds
   * @param rtoWithinLimit whether {@code rtoSeconds} is within the limit, when measured
   * @param newestPreviousSuccessAt when the newest earlier verification passed, or null
   * @param newestPreviousSuccessAgeSeconds how long before this report that was, or null
   * @param trend the RTO of the last earlier runs, newest first
   */
  public record Entry(
      String name,
      String status,
      String message,
      String failureType,
      String childWorkflowId,
      String evidenceId,
      Double rtoSeconds,
      long limitSeconds,
      Boolean rtoWithinLimit,
      String newestPreviousSuccessAt,
      Long newestPreviousSuccessAgeSeconds,
      List<PastRun> trend) {}
}
