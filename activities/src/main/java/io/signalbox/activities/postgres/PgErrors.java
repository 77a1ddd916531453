package io.signalbox.activities.postgres;

import io.signalbox.workflows.core.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.sql.SQLException;

/**
 * Maps a PgJDBC {@link SQLException} onto Signalbox's failure vocabulary by its SQLSTATE: what no
 * retry can fix (authentication, a missing database, missing privileges, a read-only database) is
 * {@code PreconditionFailed}; the rest (connection lost, server shutting down, query cancelled,
 * serialization failures, a table dropped by concurrent DDL, …) is retried by Temporal.
 */
public final class PgErrors {

  private PgErrors() {}

  /** The failure for {@code e}, with {@code what} (e.g. the endpoint) leading the message. */
  public static ApplicationFailure failure(String what, SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message =
        what + ": " + e.getMessage() + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
    return type(state).failure(message);
  }

  static FailureType type(String state) {
    if (state.startsWith("28") // invalid authorization / password
        || state.equals("3D000") // database does not exist
        || state.equals("3F000") // schema does not exist
        || state.equals("42501") // insufficient privilege
        || state.equals("25006") // read-only transaction
        || state.equals("0A000")) { // feature not supported
      return FailureType.PRECONDITION_FAILED;
    }
    return FailureType.TRANSIENT;
  }
}
