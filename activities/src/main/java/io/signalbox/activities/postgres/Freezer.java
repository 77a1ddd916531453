package io.signalbox.activities.postgres;

import io.signalbox.workflows.copy.FreezeResult;
import io.signalbox.workflows.copy.UnfreezeResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Database-level freeze: {@code ALTER DATABASE … SET default_transaction_read_only = on} (new
 * sessions start read-only) and ending the database's other client sessions (so no session that
 * started before the freeze can write). Unfreeze resets the setting.
 *
 * <p>Ownership: the freeze records its request id in the database setting {@value #MARKER}, in the
 * same transaction as the freeze itself. A retried freeze that finds its own id knows it made the
 * freeze; an unfreeze lifts only the freeze its own request made (or any, when forced), so the undo
 * of a run never lifts a freeze somebody else made.
 *
 * <p>Both are idempotent. The connection is switched to read-write for its own session first: on a
 * frozen database our own session starts read-only too. Needs the database's owner or a superuser
 * (and {@code pg_signal_backend} to end other sessions).
 */
public final class Freezer {

  private static final Logger log = LoggerFactory.getLogger(Freezer.class);

  /** The database-level setting that records which request froze the database. */
  public static final String MARKER = "signalbox.frozen_by";

  private static final int TERMINATE_WAIT_MILLIS = 10_000;

  private Freezer() {}

  /** A database's freeze state. */
  public record State(boolean frozen, String frozenBy) {}

  /** Whether {@code database} is frozen, and by which request. */
  public static State state(Connection c, String database) throws SQLException {
    boolean frozen = false;
    String by = null;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_catalog.unnest(s.setconfig) FROM pg_catalog.pg_db_role_setting s"
                + " JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase"
                + " WHERE d.datname = ? AND s.setrole = 0")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String item = rs.getString(1);
          int eq = item.indexOf('=');
          if (eq < 0) {
            continue;
          }
          String name = item.substring(0, eq).trim().toLowerCase(Locale.ROOT);
          String value = item.substring(eq + 1).trim();
          if (name.equals("default_transaction_read_only")) {
            frozen = isOn(value);
          } else if (name.equals(MARKER)) {
            by = value;
          }
        }
      }
    }
    return new State(frozen, by);
  }

  /** Freezes {@code database} (see the class documentation). */
  public static FreezeResult freeze(Connection c, String database, String requestId)
      throws SQLException {
    return freeze(c, database, requestId, false, () -> {});
  }

  /**
   * Freezes {@code database}.
   *
   * @param earlierAttemptFroze an earlier attempt of the same request found the database not frozen
   *     and went on to freeze it (known from the activity's heartbeat details): a freeze without a
   *     recorded request id is then this request's own
   * @param beforeChange runs just before the database is changed (the activity records there that
   *     it found the database not frozen)
   */
  public static FreezeResult freeze(
      Connection c,
      String database,
      String requestId,
      boolean earlierAttemptFroze,
      Runnable beforeChange)
      throws SQLException {
    c.setAutoCommit(true);
    writable(c);
    State before = state(c, database);
    boolean alreadyFrozen;
    String frozenBy;
    if (before.frozen()) {
      boolean ours =
          (requestId != null && requestId.equals(before.frozenBy()))
              || (before.frozenBy() == null && earlierAttemptFroze);
      alreadyFrozen = !ours;
      frozenBy = before.frozenBy();
      log.info(
          "database {} is already frozen (by {}){}",
          database,
          before.frozenBy(),
          alreadyFrozen ? "" : ": this request's own earlier attempt");
    } else {
      frozenBy = null;
      beforeChange.run();
      c.setAutoCommit(false);
      try {
        execute(c, alterDatabase(c, database, "SET default_transaction_read_only = on"));
        if (requestId != null) {
          frozenBy = requestId;
          Savepoint sp = c.setSavepoint();
          try {
            execute(c, alterDatabase(c, database, "SET " + MARKER + " = " + literal(c, requestId)));
          } catch (SQLException e) {
            // A role that may not set custom settings still freezes; only ownership is unknown.
            c.rollback(sp);
            frozenBy = null;
            log.warn(
                "froze database {} without recording request {}: {}",
                database,
                requestId,
                e.getMessage());
          }
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
      alreadyFrozen = false;
      log.info("froze database {}", database);
    }
    int terminated = terminateOtherSessions(c, database);
    return new FreezeResult(database, alreadyFrozen, frozenBy, terminated);
  }

  /** Lifts the freeze of {@code database} if this request made it, or {@code force}. */
  public static UnfreezeResult unfreeze(
      Connection c, String database, String requestId, boolean force) throws SQLException {
    c.setAutoCommit(true);
    writable(c);
    State before = state(c, database);
    boolean ours = requestId != null && requestId.equals(before.frozenBy());
    if (before.frozen() && !force && !ours) {
      String note =
          before.frozenBy() == null
              ? "left frozen: no request id is recorded on it (somebody else froze it, or a role"
                  + " that may not set "
                  + MARKER
                  + " did); lift it with force"
              : "left frozen: it was frozen by request " + before.frozenBy();
      log.info("database {} {}", database, note);
      return new UnfreezeResult(database, true, false, note);
    }
    if (!before.frozen() && !ours) {
      return new UnfreezeResult(database, false, false, null);
    }
    c.setAutoCommit(false);
    try {
      execute(c, alterDatabase(c, database, "RESET default_transaction_read_only"));
      Savepoint sp = c.setSavepoint();
      try {
        execute(c, alterDatabase(c, database, "RESET " + MARKER));
      } catch (SQLException e) {
        c.rollback(sp); // see freeze: a role that may not touch custom settings
        log.warn("could not reset {} on database {}: {}", MARKER, database, e.getMessage());
      }
      c.commit();
    } catch (SQLException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
    log.info("unfroze database {}", database);
    return new UnfreezeResult(database, before.frozen(), before.frozen(), null);
  }

  /**
   * Ends the other client sessions of {@code database} (not this one, not replication or background
   * workers) and waits until they are gone. Returns how many were ended.
   */
  public static int terminateOtherSessions(Connection c, String database) throws SQLException {
    int terminated = 0;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_catalog.count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(pid))"
                + " FROM pg_catalog.pg_stat_activity WHERE datname = ?"
                + " AND pid <> pg_catalog.pg_backend_pid() AND backend_type = 'client backend'")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        terminated = rs.getInt(1);
      }
    }
    long deadline = System.currentTimeMillis() + TERMINATE_WAIT_MILLIS;
    while (terminated > 0 && System.currentTimeMillis() < deadline) {
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_activity WHERE datname = ?"
                  + " AND pid <> pg_catalog.pg_backend_pid()"
                  + " AND backend_type = 'client backend'")) {
        ps.setString(1, database);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          if (rs.getInt(1) == 0) {
            break;
          }
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (terminated > 0) {
      log.info("ended {} other session(s) of database {}", terminated, database);
    }
    return terminated;
  }

  private static void writable(Connection c) throws SQLException {
    execute(c, "SET SESSION default_transaction_read_only = off");
  }

  /** {@code ALTER DATABASE <quoted name> <rest>}, the name quoted by the server. */
  private static String alterDatabase(Connection c, String database, String rest)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.format('%I', ?::text)")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return "ALTER DATABASE " + rs.getString(1) + " " + rest;
      }
    }
  }

  private static String literal(Connection c, String value) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.quote_literal(?::text)")) {
      ps.setString(1, value);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private static boolean isOn(String v) {
    String s = v.toLowerCase(Locale.ROOT);
    return s.equals("on") || s.equals("true") || s.equals("yes") || s.equals("1") || s.equals("t");
  }
}
