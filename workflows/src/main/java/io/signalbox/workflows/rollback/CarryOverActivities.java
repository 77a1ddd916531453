package io.signalbox.workflows.rollback;

import io.signalbox.workflows.core.Endpoint;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Compares the new database with the old one row by row, and copies rows that exist only on the new
 * one back to the old one. Activity type names carry the prefix {@code CarryOver}. Passwords are
 * references, resolved on the worker.
 */
@ActivityInterface(namePrefix = "CarryOver")
public interface CarryOverActivities {

  /**
   * @param newDatabase the database the app was moved to
   * @param oldDatabase the database it goes back to
   * @param sampleKeys how many primary keys per table to list for each kind of difference (default
   *     10, at most 100)
   */
  record CompareInput(Endpoint newDatabase, Endpoint oldDatabase, Integer sampleKeys) {}

  /**
   * One table compared.
   *
   * @param table {@code schema.table}, quoted where needed
   * @param primaryKey the primary key columns, empty when the table has none
   * @param rowsNew rows on the new database
   * @param rowsOld rows on the old database (0 when the table is not there)
   * @param onlyOnNew rows on the new database whose key (or, without a key, whose content) is not
   *     on the old one: written since the switch
   * @param changed rows whose key is on both with different content (keyed tables only)
   * @param onlyOnOld rows on the old database whose key (or content) is not on the new one
   * @param sampleOnlyOnNew some keys of {@code onlyOnNew} rows, as PostgreSQL row text
   * @param sampleChanged some keys of {@code changed} rows
   * @param carriable whether carry-over can copy this table's new rows
   * @param note why it cannot (no primary key, not on the old database, columns differ), or null
   */
  record TableDiff(
      String table,
      List<String> primaryKey,
      long rowsNew,
      long rowsOld,
      long onlyOnNew,
      long changed,
      long onlyOnOld,
      List<String> sampleOnlyOnNew,
      List<String> sampleChanged,
      boolean carriable,
      String note) {}

  /**
   * What a rollback would leave behind on the new database.
   *
   * @param tables every user table of the new database that differs (tables equal on both sides are
   *     counted in {@code tablesEqual} only)
   * @param tablesCompared how many tables were compared
   * @param tablesEqual how many were equal
   * @param onlyOnNew rows only on the new database, all tables
   * @param changed rows changed, all keyed tables
   * @param onlyOnOld rows only on the old database, all tables
   * @param notCarriable the tables with rows only on the new database that carry-over cannot copy,
   *     each with why
   * @param summary one line for an operator
   */
  record LeftBehind(
      List<TableDiff> tables,
      int tablesCompared,
      int tablesEqual,
      long onlyOnNew,
      long changed,
      long onlyOnOld,
      List<String> notCarriable,
      String summary) {}

  /**
   * One table carried.
   *
   * @param table {@code schema.table}
   * @param inserted rows copied to the old database
   * @param conflicts rows not copied because the old database has a row that conflicts (the same
   *     key changed on both sides, or another unique value)
   * @param sampleConflicts some keys of conflicting rows
   */
  record TableCarried(String table, long inserted, long conflicts, List<String> sampleConflicts) {}

  /**
   * What carry-over did.
   *
   * @param tables the tables it copied rows of
   * @param inserted rows copied, all tables
   * @param conflicts rows found changed on both sides or conflicting, reported and not overwritten
   * @param notCarried tables whose new rows it could not copy, each with why
   * @param sequencesAdvanced sequences of the old database moved up to where the new one's are, so
   *     the next insert on the old database does not collide with a carried row
   * @param summary one line for an operator
   */
  record Carried(
      List<TableCarried> tables,
      long inserted,
      long conflicts,
      List<String> notCarried,
      List<String> sequencesAdvanced,
      String summary) {}

  /**
   * Compares every user table of the new database with the old one: by primary key where there is
   * one (new, changed and missing rows), by row content where there is none. Read-only; heartbeats
   * the tables done. Loads the old database's keys of one table into memory at a time.
   */
  LeftBehind compare(CompareInput input);

  /**
   * Copies the rows whose primary key is on the new database but not on the old one to the old one,
   * parents before children, in one transaction that overrides the old database's read-only default
   * for its own session only; a row that conflicts is skipped and reported; rows changed on the new
   * database are reported by {@link #compare}, never written. Moves the old database's sequences up
   * to the new one's. Idempotent: a retry finds the rows already there.
   */
  Carried carryOver(CompareInput input);
}
