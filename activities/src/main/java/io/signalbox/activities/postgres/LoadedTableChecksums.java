package io.signalbox.activities.postgres;

import io.signalbox.workflows.copy.TableStats;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the COPY text checksum ({@link TableScanner.Check#COPY_TEXT}) of each target table as soon
 * as a restore has loaded its data, while the restore goes on with other tables and builds the
 * indexes: the target's content is read beside the restore instead of after it. At most {@code
 * parallelism} tables are read at once, each worker on its own connection under {@link
 * SessionSettings}. A table whose read fails is left out (the verify reads it itself).
 */
public final class LoadedTableChecksums implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LoadedTableChecksums.class);

  private final TableScanner.ConnectionSource source;
  private final ExecutorService pool;
  private final ThreadLocal<Connection> connection = new ThreadLocal<>();
  private final List<Connection> connections = new CopyOnWriteArrayList<>();
  private final List<TableScanner.Cancel> running = new CopyOnWriteArrayList<>();
  private final Map<String, Read> done = new ConcurrentHashMap<>();

  /**
   * One table read beside the restore.
   *
   * @param stats its rows and COPY text checksum
   * @param snapshot {@code txid_current_snapshot()} taken just before the read: every row the read
   *     saw was written by a transaction this snapshot sees as committed, so a row written since
   *     has an {@code xmin} it does not (see {@link TableScanner#changedSince})
   */
  public record Read(TableStats stats, String snapshot) {}

  private volatile boolean stopped;

  /**
   * @param source opens connections to the target
   * @param parallelism tables read at once, at least 1
   */
  public LoadedTableChecksums(TableScanner.ConnectionSource source, int parallelism) {
    this.source = source;
    this.pool =
        Executors.newFixedThreadPool(
            Math.max(1, parallelism),
            r -> {
              Thread t = new Thread(r, "loaded-table-checksum");
              t.setDaemon(true);
              return t;
            });
  }

  /** Reads the table (a quoted name) when a worker is free. Returns at once. */
  public void loaded(String table) {
    if (stopped) {
      return;
    }
    pool.execute(
        () -> {
          if (stopped) {
            return;
          }
          try {
            Connection c = connection();
            String snapshot;
            try (java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs =
                    st.executeQuery("SELECT pg_catalog.txid_current_snapshot()::pg_catalog.text")) {
              rs.next();
              snapshot = rs.getString(1);
            }
            done.put(table, new Read(TableScanner.copyText(c, table, running), snapshot));
          } catch (SQLException | RuntimeException e) {
            log.warn(
                "cannot read {} beside the restore (verify reads it): {}", table, e.getMessage());
          }
        });
  }

  private Connection connection() throws SQLException {
    Connection c = connection.get();
    if (c == null) {
      c = source.open();
      connections.add(c);
      c.setAutoCommit(true);
      SessionSettings.apply(c);
      connection.set(c);
    }
    return c;
  }

  /**
   * Waits for the tables handed in so far, calling {@code tick} every few seconds (it may throw to
   * cancel), and returns what was read, by table.
   */
  public Map<String, Read> finish(long tickMillis, Runnable tick) {
    pool.shutdown();
    try {
      while (!pool.awaitTermination(tickMillis, TimeUnit.MILLISECONDS)) {
        if (tick != null) {
          tick.run();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the restored tables", e);
    }
    return Map.copyOf(done);
  }

  /** Stops: no new table starts, running reads are cancelled, connections closed. */
  @Override
  public void close() {
    stopped = true;
    pool.shutdownNow();
    for (TableScanner.Cancel c : running) {
      try {
        c.cancel();
      } catch (SQLException e) {
        log.debug("cancel failed: {}", e.getMessage());
      }
    }
    try {
      pool.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Connection c : connections) {
      try {
        c.close();
      } catch (SQLException e) {
        log.debug("close failed: {}", e.getMessage());
      }
    }
  }
}
