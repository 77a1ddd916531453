package io.signalbox.activities.copy.progress;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes the {@code COPY ... FROM} statements running in a database have taken in so far ({@code
 * pg_stat_progress_copy}, PostgreSQL 14 and later): how far pg_restore is inside the tables it is
 * loading. One connection, opened on the first call and kept until {@link #close}; any error makes
 * it answer 0 from then on (progress only).
 */
final class CopyInFlight implements LongSupplier, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CopyInFlight.class);

  /** Opens the connection to the database being loaded. */
  @FunctionalInterface
  interface Opener {
    Connection open() throws SQLException;
  }

  private final Opener opener;
  private Connection connection;
  private boolean broken;

  CopyInFlight(Opener opener) {
    this.opener = opener;
  }

  @Override
  public synchronized long getAsLong() {
    if (broken) {
      return 0;
    }
    try {
      if (connection == null) {
        connection = opener.open();
      }
      try (Statement st = connection.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT coalesce(sum(bytes_processed), 0) FROM pg_catalog.pg_stat_progress_copy"
                      + " WHERE datname = pg_catalog.current_database()"
                      + " AND command = 'COPY FROM'")) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException | RuntimeException e) {
      log.debug("no COPY progress from the target: {}", e.getMessage());
      broken = true;
      close();
      return 0;
    }
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("close failed: {}", e.getMessage());
      }
      connection = null;
    }
  }
}
