package io.signalbox.workflows.copy;

import io.temporal.activity.ActivityInterface;

/**
 * What Signalbox asks of a PostgreSQL server over JDBC: describe it, check a target, count and
 * checksum tables, read sequences and the schema inventory, freeze and unfreeze a database.
 *
 * <p>Every method takes one record and returns one record, so fields can be added without breaking
 * running workflows. Passwords come in as {@link io.signalbox.workflows.core.SecretRef}s and are
 * resolved inside the activity; they never appear in results or messages. Failures use {@link
 * io.signalbox.workflows.core.FailureType}: a wrong password, a missing database or a refused
 * precondition is {@code PreconditionFailed} (non-retryable); a server that cannot be reached is
 * retried. Activity type names carry the prefix {@code Postgres} ({@code PostgresDescribe}, …).
 *
 * <p>Only {@link #freeze} and {@link #unfreeze} change anything, and both are idempotent.
 */
@ActivityInterface(namePrefix = "Postgres")
public interface PostgresActivities {

  /** Version, size, installed extensions and the number of user tables of one database. */
  ServerDescription describe(DescribeInput input);

  /**
   * Checks that a database may receive a restore: it has no user tables (unless {@code
   * target.allowNonEmpty}) and every required extension is installed or available to install. Fails
   * with {@code PreconditionFailed} naming what is wrong; changes nothing.
   */
  CheckTargetResult checkTarget(CheckTargetInput input);

  /**
   * Row counts (and, with {@code checksums}, content checksums) of every user table, computed the
   * same way on any server so source and target can be compared with {@link
   * TableStatsResult#compare}. Heartbeats the number of tables done.
   */
  TableStatsResult tableStats(TableStatsInput input);

  /** The position of every sequence (serial, identity and stand-alone). */
  SequencesResult sequences(SequencesInput input);

  /** The schema inventory: tables, columns, indexes, constraints, views, functions, … */
  SchemaInventory inventory(InventoryInput input);

  /**
   * Makes a database read-only for new transactions ({@code ALTER DATABASE … SET
   * default_transaction_read_only = on}) and ends its other sessions. Freezing a frozen database
   * succeeds and reports who froze it.
   */
  FreezeResult freeze(FreezeInput input);

  /**
   * Lifts a freeze made by the same request (or any freeze with {@code force}); a database that is
   * not frozen is success, a freeze somebody else made is left in place and reported.
   */
  UnfreezeResult unfreeze(UnfreezeInput input);
}
