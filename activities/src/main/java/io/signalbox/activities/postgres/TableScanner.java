package io.signalbox.activities.postgres;

import io.signalbox.workflows.copy.TableStats;
import io.signalbox.workflows.copy.TableStatsResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts (and checksums) every table of a database over a bounded pool of connections that all read
 * the same snapshot, one query per table, largest tables first.
 *
 * <p>The first connection opens a {@code REPEATABLE READ, READ ONLY} transaction and either imports
 * the given snapshot or exports its own ({@code pg_export_snapshot()}); the others import it, so
 * the whole result is as of one moment even on a live database. When no snapshot can be exported (a
 * standby), each connection reads in its own snapshot and the result says so ({@code snapshotId}
 * null).
 *
 * <p>The calling thread owns the loop: it reports progress after every table and at least every
 * {@link #TICK_SECONDS} seconds while a long table runs, so an activity can heartbeat from it. If
 * the progress callback throws (an activity that was cancelled), the running queries are cancelled
 * on the server, the connections closed, and the exception passes through.
 */
public final class TableScanner {

  private static final Logger log = LoggerFactory.getLogger(TableScanner.class);

  /** How often progress is reported while no table finishes. */
  public static final int TICK_SECONDS = 10;

  /** Snapshot ids are hex groups joined by dashes ({@code 00000003-0000003F-1}); nothing else. */
  private static final Pattern SNAPSHOT_ID = Pattern.compile("[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+");

  /** Opens a new connection to the database being scanned. */
  @FunctionalInterface
  public interface ConnectionSource {
    Connection open() throws SQLException;
  }

  /** How one table is read. */
  public enum Check {
    /** {@code count(*)} only, no checksum. */
    COUNT,
    /**
     * {@code count(*)} and the server-side {@code sum(hashtextextended(row::text, 0))} ({@link
     * Inspector#statsQuery}).
     */
    SQL_CHECKSUM,
    /**
     * {@code COPY table (columns) TO STDOUT} in text format, streamed into the worker and summed by
     * {@link CopyTextChecksum}: the same text pg_dump writes into a dump's data file, so it
     * compares with a checksum of that file. Columns as pg_dump lists them: not dropped, not
     * generated, in column order.
     */
    COPY_TEXT
  }

  /** Progress, called from the thread that called {@link #scan}. */
  @FunctionalInterface
  public interface Progress {
    void report(int tablesDone, int tables);

    /** One table is done (before the {@link #report} that counts it). */
    default void tableDone(String table) {}
  }

  private final ConnectionSource source;
  private final int parallelism;
  private final long tickMillis;

  /**
   * @param source opens connections (at most {@code parallelism} are open at once)
   * @param parallelism connections to use, at least 1
   */
  public TableScanner(ConnectionSource source, int parallelism) {
    this(source, parallelism, TICK_SECONDS * 1000L);
  }

  TableScanner(ConnectionSource source, int parallelism, long tickMillis) {
    this.source = source;
    this.parallelism = Math.max(1, parallelism);
    this.tickMillis = tickMillis;
  }

  /**
   * Scans every table ({@link Inspector#dataTables}).
   *
   * @param checksums also compute content checksums
   * @param snapshotId a snapshot to import (e.g. the dump's), or null to export one
   * @param progress told how many tables are done
   */
  public TableStatsResult scan(boolean checksums, String snapshotId, Progress progress)
      throws SQLException {
    return scan(t -> checksums ? Check.SQL_CHECKSUM : Check.COUNT, null, snapshotId, progress);
  }

  /**
   * Scans the tables, each the way {@code how} says.
   *
   * @param how how to read each table (a quoted name from {@link Inspector#dataTables})
   * @param only the tables to scan (quoted names); null for every table
   * @param snapshotId a snapshot to import (e.g. the dump's), or null to export one
   * @param progress told how many tables are done
   */
  public TableStatsResult scan(
      java.util.function.Function<String, Check> how,
      java.util.Set<String> only,
      String snapshotId,
      Progress progress)
      throws SQLException {
    return scan(how, java.util.Map.of(), only, snapshotId, progress);
  }

  /**
   * {@link #scan(java.util.function.Function, java.util.Set, String, Progress)}, and for each table
   * of {@code since} read with {@link Check#COUNT} whether any of its rows was written since that
   * snapshot: such a table's {@link TableStats#checksum} is {@link #CHANGED}, the others' null.
   *
   * @param since table → {@code txid_current_snapshot()} text ({@code xmin:xmax:xip,...})
   */
  public TableStatsResult scan(
      java.util.function.Function<String, Check> how,
      java.util.Map<String, String> since,
      java.util.Set<String> only,
      String snapshotId,
      Progress progress)
      throws SQLException {
    boolean checksums = false;
    if (snapshotId != null && !SNAPSHOT_ID.matcher(snapshotId).matches()) {
      throw new IllegalArgumentException("not a snapshot id: " + snapshotId);
    }
    List<Connection> connections = new ArrayList<>();
    List<Cancel> running = new CopyOnWriteArrayList<>();
    Queue<String> todo = new ConcurrentLinkedQueue<>();
    ExecutorService pool = null;
    boolean finished = false;
    try {
      Connection leader = source.open();
      connections.add(leader);
      String snapshot = begin(leader, snapshotId, true);
      List<String> tables =
          Inspector.dataTablesLargestFirst(leader).stream()
              .filter(t -> only == null || only.contains(t))
              .toList();
      checksums = tables.stream().anyMatch(t -> how.apply(t) != Check.COUNT);
      int workers = Math.max(1, Math.min(parallelism, tables.size()));
      for (int i = 1; i < workers; i++) {
        Connection c = source.open();
        connections.add(c);
        begin(c, snapshot, false);
      }

      todo.addAll(tables);
      BlockingQueue<Object> done = new ArrayBlockingQueue<>(Math.max(1, tables.size() + workers));
      pool =
          Executors.newFixedThreadPool(
              workers,
              r -> {
                Thread t = new Thread(r, "table-scan");
                t.setDaemon(true);
                return t;
              });
      List<Future<?>> futures = new ArrayList<>();
      for (Connection c : connections) {
        futures.add(
            pool.submit(
                () -> {
                  try {
                    String table;
                    while ((table = todo.poll()) != null) {
                      done.add(one(c, table, how.apply(table), since.get(table), running));
                    }
                  } catch (Exception e) {
                    done.add(e);
                  }
                }));
      }

      List<TableStats> results = new ArrayList<>(tables.size());
      progress.report(0, tables.size());
      while (results.size() < tables.size()) {
        Object next = done.poll(tickMillis, TimeUnit.MILLISECONDS);
        if (next instanceof TableStats s) {
          results.add(s);
          progress.tableDone(s.table());
        } else if (next instanceof SQLException e) {
          throw e;
        } else if (next instanceof Exception e) {
          throw new IllegalStateException("table scan failed: " + e.getMessage(), e);
        } else if (futures.stream().allMatch(Future::isDone) && done.isEmpty()) {
          throw new IllegalStateException("table scan workers ended before all tables were done");
        }
        progress.report(results.size(), tables.size());
      }
      results.sort(Comparator.comparing(TableStats::table));
      finished = true;
      return new TableStatsResult(List.copyOf(results), snapshot, checksums);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } finally {
      stop(pool, todo, running, finished);
      for (Connection c : connections) {
        try {
          c.rollback(); // read-only: nothing to keep
        } catch (SQLException e) {
          log.debug("rollback failed: {}", e.getMessage());
        }
        try {
          c.close();
        } catch (SQLException e) {
          log.debug("close failed: {}", e.getMessage());
        }
      }
    }
  }

  /**
   * Stops the workers before their connections are closed. On failure or cancellation no new table
   * starts, and running queries are cancelled on the server, repeatedly, since a worker may start
   * its query just after a cancel.
   */
  private static void stop(
      ExecutorService pool, Queue<String> todo, List<Cancel> running, boolean finished) {
    todo.clear();
    if (pool == null) {
      return;
    }
    pool.shutdownNow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    try {
      while (!pool.awaitTermination(finished ? 1000 : 100, TimeUnit.MILLISECONDS)) {
        for (Cancel st : running) {
          try {
            st.cancel();
          } catch (SQLException e) {
            log.debug("cancel failed: {}", e.getMessage());
          }
        }
        if (System.nanoTime() > deadline) {
          log.warn("table scan workers did not stop within 30 s");
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Cancels what a worker runs on the server. */
  @FunctionalInterface
  interface Cancel {
    void cancel() throws SQLException;
  }

  /** The checksum a {@code since} count gives a table with rows written since that snapshot. */
  public static final String CHANGED = "changed since it was read";

  /**
   * A condition on a row: written by a transaction that {@code snapshot} (text of {@code
   * txid_current_snapshot()}, {@code xmin:xmax:xip,...}) does not see as committed, i.e. not before
   * the snapshot: its {@code xmin} is at or after the snapshot's {@code xmax}, or was in progress
   * then. Compared as 32-bit transaction ids through {@code age()}, which is right while fewer than
   * 2<sup>31</sup> transactions lie between; a frozen row counts as old.
   */
  static String changedSince(String snapshot) {
    String[] parts = snapshot.split(":", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("not a txid snapshot: " + snapshot);
    }
    long xmax = Long.parseLong(parts[1]) & 0xFFFFFFFFL;
    StringBuilder sql =
        new StringBuilder("(pg_catalog.age(xmin) <= pg_catalog.age('")
            .append(xmax)
            .append("'::pg_catalog.xid)");
    if (!parts[2].isEmpty()) {
      sql.append(" OR xmin = ANY ('{");
      String[] xip = parts[2].split(",");
      for (int i = 0; i < xip.length; i++) {
        sql.append(i == 0 ? "" : ",").append(Long.parseLong(xip[i]) & 0xFFFFFFFFL);
      }
      sql.append("}'::pg_catalog.xid[])");
    }
    return sql.append(")").toString();
  }

  private static TableStats one(
      Connection c, String table, Check how, String since, List<Cancel> running)
      throws SQLException {
    if (how == Check.COPY_TEXT) {
      return copyText(c, table, running);
    }
    if (how == Check.COUNT && since != null) {
      try (Statement st = c.createStatement()) {
        Cancel cancel = st::cancel;
        running.add(cancel);
        try (ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE "
                    + changedSince(since)
                    + ") FROM ONLY "
                    + table)) {
          rs.next();
          return new TableStats(table, rs.getLong(1), rs.getLong(2) > 0 ? CHANGED : null);
        } finally {
          running.remove(cancel);
        }
      }
    }
    try (Statement st = c.createStatement()) {
      Cancel cancel = st::cancel;
      running.add(cancel);
      try (ResultSet rs = st.executeQuery(Inspector.statsQuery(table, how == Check.SQL_CHECKSUM))) {
        rs.next();
        return new TableStats(table, rs.getLong(1), rs.getString(2));
      } finally {
        running.remove(cancel);
      }
    }
  }

  /** Rows and checksum of one table from its COPY text, as pg_dump would write it. */
  static TableStats copyText(Connection c, String table, List<Cancel> running) throws SQLException {
    String columns = copyColumns(c, table);
    PGConnection pg = c.unwrap(PGConnection.class);
    CopyTextChecksum sum = new CopyTextChecksum();
    Cancel cancel = pg::cancelQuery;
    running.add(cancel);
    try {
      pg.getCopyAPI()
          .copyOut(
              "COPY " + table + (columns.isEmpty() ? "" : " (" + columns + ")") + " TO STDOUT",
              sum);
    } catch (java.io.IOException e) {
      throw new SQLException("COPY of " + table + " failed: " + e.getMessage(), e);
    } finally {
      running.remove(cancel);
    }
    sum.close();
    return new TableStats(table, sum.rows(), sum.checksum());
  }

  /**
   * The columns pg_dump's {@code COPY} lists for a table: not dropped, not generated (a restore
   * computes those), in column order, quoted; empty for a table without columns.
   */
  static String copyColumns(Connection c, String table) throws SQLException {
    boolean generated = Inspector.serverVersionNum(c) >= 120000;
    try (java.sql.PreparedStatement ps =
        c.prepareStatement(
            "SELECT COALESCE(pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', '"
                + " ORDER BY a.attnum), '') FROM pg_catalog.pg_attribute a"
                + " WHERE a.attrelid = ?::pg_catalog.regclass AND a.attnum > 0"
                + " AND NOT a.attisdropped"
                + (generated ? " AND a.attgenerated = ''" : ""))) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /**
   * Sets the session up and opens the snapshot transaction; the leader exports a snapshot when none
   * is given. Returns the snapshot id in use, or null.
   */
  private static String begin(Connection c, String snapshotId, boolean leader) throws SQLException {
    c.setAutoCommit(true);
    SessionSettings.apply(c);
    c.setAutoCommit(false);
    try (Statement st = c.createStatement()) {
      st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      if (snapshotId != null) {
        // Checked against SNAPSHOT_ID above: hex and digits only, safe in a literal.
        st.execute("SET TRANSACTION SNAPSHOT '" + snapshotId + "'");
        return snapshotId;
      }
      if (!leader) {
        return null;
      }
      try (ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_export_snapshot()")) {
        rs.next();
        return rs.getString(1);
      } catch (SQLException e) {
        log.warn(
            "cannot export a snapshot, tables are read in separate snapshots: {}", e.getMessage());
        c.rollback();
        try (Statement again = c.createStatement()) {
          again.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
        return null;
      }
    }
  }
}
