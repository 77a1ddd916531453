package io.signalbox.activities.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The session settings under which Signalbox reads data and catalogs, set explicitly on every
 * connection so that the text form of a row, and every catalog definition, is the same on a source
 * and a target with the same data, whatever their {@code postgresql.conf}, role or database
 * defaults say.
 *
 * <ul>
 *   <li>{@code extra_float_digits = 1}: shortest exact float output (PostgreSQL 12+); lower values
 *       round floats and would hide a changed value.
 *   <li>{@code bytea_output = hex}, {@code DateStyle = ISO, YMD}, {@code IntervalStyle = postgres},
 *       {@code TimeZone = UTC}, {@code lc_monetary = C}: fixed text forms of bytea, dates,
 *       intervals, timestamptz and money.
 *   <li>{@code search_path = pg_catalog}: regclass/regproc values and every {@code pg_get_*def}
 *       come out schema-qualified, and no user object can shadow a built-in function we call.
 *   <li>{@code statement_timeout = 0}, {@code idle_in_transaction_session_timeout = 0}: a long
 *       checksum is bounded by the activity's timeout, not by a server default.
 * </ul>
 */
public final class SessionSettings {

  private SessionSettings() {}

  static final String[] STATEMENTS = {
    "SET extra_float_digits = 1",
    "SET bytea_output = 'hex'",
    "SET DateStyle = 'ISO, YMD'",
    "SET IntervalStyle = 'postgres'",
    "SET TimeZone = 'UTC'",
    "SET lc_monetary = 'C'",
    "SET search_path = pg_catalog",
    "SET statement_timeout = 0",
    "SET idle_in_transaction_session_timeout = 0",
  };

  /** Applies the settings to the session (in the current transaction, if one is open). */
  public static void apply(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      for (String s : STATEMENTS) {
        st.execute(s);
      }
    }
  }
}
