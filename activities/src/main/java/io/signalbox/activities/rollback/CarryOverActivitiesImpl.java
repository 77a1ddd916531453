package io.signalbox.activities.rollback;

import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgErrors;
import io.signalbox.activities.rollback.RowCompare.Table;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.rollback.CarryOverActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link CarryOverActivities} over PgJDBC: one read-only repeatable-read transaction on each
 * database for a comparison; for a carry-over, one such transaction on the new database and one
 * writing transaction on the old one.
 *
 * <p>The old database is usually frozen ({@code default_transaction_read_only} set on the database
 * by the migration's freeze). A carry-over has to write to it before the rollback lifts that
 * freeze, since lifting it first would let the app (or anyone) write while rows are still coming
 * over. So the carry-over's own session sets {@code default_transaction_read_only = off}: a session
 * setting, which overrides the database's default for this one connection only; every other session
 * stays read-only, and the freeze's marker stays for the rollback to lift.
 */
public class CarryOverActivitiesImpl implements CarryOverActivities {

  private static final Logger log = LoggerFactory.getLogger(CarryOverActivitiesImpl.class);

  /** {@code application_name} of the rollback's sessions. */
  static final String APPLICATION_NAME = "signalbox-rollback";

  private static final int DEFAULT_SAMPLE = 10;
  private static final int MAX_SAMPLE = 100;

  private final PgConnector connector;

  public CarryOverActivitiesImpl(SecretResolver secrets) {
    this(new PgConnector(secrets));
  }

  public CarryOverActivitiesImpl(PgConnector connector) {
    this.connector = connector;
  }

  // ------------------------------------------------------------------ compare

  @Override
  public LeftBehind compare(CompareInput input) {
    check(input);
    int sample = sample(input);
    try (Connection n = reader(input.newDatabase());
        Connection o = reader(input.oldDatabase())) {
      Map<String, Table> newTables = RowCompare.tables(n);
      Map<String, Table> oldTables = RowCompare.tables(o);
      List<TableDiff> diffs = new ArrayList<>();
      int done = 0;
      int equal = 0;
      for (Table t : newTables.values()) {
        heartbeat(done++, newTables.size());
        TableDiff d = diff(n, o, t, oldTables.get(t.name()), sample);
        if (d.onlyOnNew() == 0 && d.changed() == 0 && d.onlyOnOld() == 0 && d.note() == null) {
          equal++;
        } else {
          diffs.add(d);
        }
      }
      for (Table t : oldTables.values()) {
        if (!newTables.containsKey(t.name())) {
          long rows = count(o, t);
          diffs.add(
              new TableDiff(
                  t.name(),
                  t.primaryKey(),
                  0,
                  rows,
                  0,
                  0,
                  rows,
                  List.of(),
                  List.of(),
                  false,
                  "only on the old database (dropped on the new one since the switch)"));
        }
      }
      n.rollback();
      o.rollback();
      return leftBehind(diffs, newTables.size(), equal);
    } catch (SQLException e) {
      throw PgErrors.failure(
          "compare " + input.newDatabase().describe() + " with " + input.oldDatabase().describe(),
          e);
    }
  }

  private static TableDiff diff(Connection n, Connection o, Table t, Table old, int sample)
      throws SQLException {
    if (old == null) {
      long rows = count(n, t);
      return new TableDiff(
          t.name(),
          t.primaryKey(),
          rows,
          0,
          rows,
          0,
          0,
          List.of(),
          List.of(),
          false,
          "not on the old database (created on the new one since the switch)");
    }
    boolean sameShape = t.shape().equals(old.shape()) && t.primaryKey().equals(old.primaryKey());
    if (!sameShape) {
      long rowsNew = count(n, t);
      long rowsOld = count(o, old);
      return new TableDiff(
          t.name(),
          t.primaryKey(),
          rowsNew,
          rowsOld,
          Math.max(0, rowsNew - rowsOld),
          0,
          Math.max(0, rowsOld - rowsNew),
          List.of(),
          List.of(),
          false,
          "columns or key differ (the schema changed since the switch): compared by count only;"
              + " new: "
              + cut(t.shape())
              + "; old: "
              + cut(old.shape()));
    }
    // The old side in memory (key → row digest; without a key, digest → how many), the new side
    // streamed past it.
    Map<String, String> oldRows = new HashMap<>();
    Map<String, Integer> oldCounts = new HashMap<>();
    long[] rowsOld = {0};
    RowCompare.rows(
        o,
        old,
        t.keyed(),
        (key, md5) -> {
          rowsOld[0]++;
          if (t.keyed()) {
            oldRows.put(key, md5);
          } else {
            oldCounts.merge(md5, 1, Integer::sum);
          }
        });
    long[] counts = new long[3]; // rowsNew, onlyOnNew, changed
    List<String> sampleNew = new ArrayList<>();
    List<String> sampleChanged = new ArrayList<>();
    RowCompare.rows(
        n,
        t,
        t.keyed(),
        (key, md5) -> {
          counts[0]++;
          if (t.keyed()) {
            String before = oldRows.remove(key);
            if (before == null) {
              counts[1]++;
              add(sampleNew, key, sample);
            } else if (!before.equals(md5)) {
              counts[2]++;
              add(sampleChanged, key, sample);
            }
          } else {
            Integer left = oldCounts.get(md5);
            if (left == null) {
              counts[1]++;
            } else if (left == 1) {
              oldCounts.remove(md5);
            } else {
              oldCounts.put(md5, left - 1);
            }
          }
        });
    long onlyOnOld =
        t.keyed()
            ? oldRows.size()
            : oldCounts.values().stream().mapToLong(Integer::longValue).sum();
    return new TableDiff(
        t.name(),
        t.primaryKey(),
        counts[0],
        rowsOld[0],
        counts[1],
        counts[2],
        onlyOnOld,
        List.copyOf(sampleNew),
        List.copyOf(sampleChanged),
        t.keyed(),
        t.keyed() || counts[1] + onlyOnOld == 0
            ? null
            : "no primary key: rows compared by content, cannot be carried over");
  }

  private static LeftBehind leftBehind(List<TableDiff> diffs, int compared, int equal) {
    long onlyOnNew = 0;
    long changed = 0;
    long onlyOnOld = 0;
    List<String> notCarriable = new ArrayList<>();
    for (TableDiff d : diffs) {
      onlyOnNew += d.onlyOnNew();
      changed += d.changed();
      onlyOnOld += d.onlyOnOld();
      if (d.onlyOnNew() > 0 && !d.carriable()) {
        notCarriable.add(d.table() + ": " + d.note());
      }
    }
    String summary =
        diffs.isEmpty()
            ? "The new database holds nothing the old one lacks (" + compared + " tables equal)."
            : onlyOnNew
                + " rows only on the new database, "
                + changed
                + " rows changed there, "
                + onlyOnOld
                + " rows only on the old database, in "
                + diffs.size()
                + " of "
                + compared
                + " tables"
                + (notCarriable.isEmpty()
                    ? "."
                    : "; cannot be carried over: "
                        + String.join(
                            ", ", notCarriable.stream().map(s -> s.split(":")[0]).toList())
                        + ".");
    return new LeftBehind(
        List.copyOf(diffs), compared, equal, onlyOnNew, changed, onlyOnOld, notCarriable, summary);
  }

  // ------------------------------------------------------------------ carry over

  @Override
  public Carried carryOver(CompareInput input) {
    check(input);
    int sample = sample(input);
    try (Connection n = reader(input.newDatabase());
        Connection o =
            connector.open(input.oldDatabase(), input.oldDatabase().database(), APPLICATION_NAME)) {
      // This session only: the old database's read-only default (its freeze) stays for others.
      try (Statement s = o.createStatement()) {
        s.execute("SET default_transaction_read_only = off");
      }
      o.setAutoCommit(false);
      Map<String, Table> newTables = RowCompare.tables(n);
      Map<String, Table> oldTables = RowCompare.tables(o);
      List<String> notCarried = new ArrayList<>();
      List<Table> carriable = new ArrayList<>();
      for (Table t : newTables.values()) {
        Table old = oldTables.get(t.name());
        if (old == null) {
          notCarried.add(t.name() + ": not on the old database");
        } else if (!t.keyed()) {
          notCarried.add(t.name() + ": no primary key");
        } else if (!t.shape().equals(old.shape()) || !t.primaryKey().equals(old.primaryKey())) {
          notCarried.add(t.name() + ": columns or key differ");
        } else {
          carriable.add(old);
        }
      }
      List<TableCarried> carried = new ArrayList<>();
      long inserted = 0;
      long conflicts = 0;
      int done = 0;
      List<Table> ordered = parentsFirst(carriable, RowCompare.parents(o));
      for (Table t : ordered) {
        heartbeat(done++, ordered.size());
        TableCarried c = carryTable(n, o, t, sample);
        if (c.inserted() > 0 || c.conflicts() > 0) {
          carried.add(c);
          inserted += c.inserted();
          conflicts += c.conflicts();
        }
      }
      List<String> advanced = advanceSequences(n, o);
      o.commit();
      n.rollback();
      // Tables without new rows need no carrying: only those with rows left behind are named.
      String summary =
          "carried "
              + inserted
              + " rows in "
              + carried.size()
              + " tables to "
              + input.oldDatabase().describe()
              + "; "
              + conflicts
              + " conflicting rows left as they are on the old database"
              + (advanced.isEmpty() ? "" : "; " + advanced.size() + " sequences moved up");
      log.info("carry-over: {}", summary);
      return new Carried(
          List.copyOf(carried),
          inserted,
          conflicts,
          List.copyOf(notCarried),
          List.copyOf(advanced),
          summary);
    } catch (SQLException e) {
      throw PgErrors.failure(
          "carry rows from "
              + input.newDatabase().describe()
              + " to "
              + input.oldDatabase().describe(),
          e);
    }
  }

  private static TableCarried carryTable(Connection n, Connection o, Table t, int sample)
      throws SQLException {
    Map<String, String> oldRows = new HashMap<>();
    RowCompare.rows(o, t, true, oldRows::put);
    List<String> cols = t.insertable().stream().map(RowCompare::ident).toList();
    String columns = String.join(", ", cols);
    String insert =
        "INSERT INTO "
            + t.name()
            + " ("
            + columns
            + ") OVERRIDING SYSTEM VALUE SELECT "
            + columns
            + " FROM json_populate_record(NULL::"
            + t.name()
            + ", ?::json) ON CONFLICT DO NOTHING";
    long[] counts = new long[2]; // inserted, conflicts
    List<String> sampleConflicts = new ArrayList<>();
    try (PreparedStatement ps = o.prepareStatement(insert)) {
      RowCompare.rowsWithJson(
          n,
          t,
          (key, md5, json) -> {
            String before = oldRows.get(key);
            if (before != null) {
              if (!before.equals(md5)) {
                // Changed since the switch (on the new side, or on both): never overwritten.
                counts[1]++;
                add(sampleConflicts, key, sample);
              }
              return;
            }
            ps.setString(1, json);
            // A savepoint per row: a row that breaks a constraint of the old database (another
            // unique value, a parent that was not carried) is reported, and the rest still go.
            Savepoint row = o.setSavepoint();
            try {
              int inserted = ps.executeUpdate();
              o.releaseSavepoint(row);
              counts[inserted == 0 ? 1 : 0]++; // 0: ON CONFLICT DO NOTHING
              if (inserted == 0) {
                add(sampleConflicts, key, sample);
              }
            } catch (SQLException e) {
              if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                throw e;
              }
              o.rollback(row);
              counts[1]++;
              add(sampleConflicts, key + " (" + e.getSQLState() + ")", sample);
            }
          });
    }
    return new TableCarried(t.name(), counts[0], counts[1], List.copyOf(sampleConflicts));
  }

  /** Moves each sequence of the old database up to the new one's position, never down. */
  private static List<String> advanceSequences(Connection n, Connection o) throws SQLException {
    Map<String, Long> newer = RowCompare.sequences(n);
    Map<String, Long> older = RowCompare.sequences(o);
    List<String> advanced = new ArrayList<>();
    try (PreparedStatement ps =
        o.prepareStatement("SELECT setval(to_regclass(?), ?) WHERE to_regclass(?) IS NOT NULL")) {
      for (Map.Entry<String, Long> e : newer.entrySet()) {
        Long before = older.get(e.getKey());
        if (before == null || before < e.getValue()) {
          ps.setString(1, e.getKey());
          ps.setLong(2, e.getValue());
          ps.setString(3, e.getKey());
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
              advanced.add(e.getKey() + " " + before + " → " + e.getValue());
            }
          }
        }
      }
    }
    return advanced;
  }

  /** Parents before children (Kahn's order); tables in a cycle of keys follow in name order. */
  static List<Table> parentsFirst(List<Table> tables, Map<String, List<String>> parents) {
    Map<String, Table> byName = new LinkedHashMap<>();
    tables.forEach(t -> byName.put(t.name(), t));
    List<Table> ordered = new ArrayList<>();
    Set<String> placed = new LinkedHashSet<>();
    boolean progress = true;
    while (placed.size() < byName.size() && progress) {
      progress = false;
      for (Table t : byName.values()) {
        if (placed.contains(t.name())) {
          continue;
        }
        boolean ready =
            parents.getOrDefault(t.name(), List.of()).stream()
                .allMatch(p -> placed.contains(p) || !byName.containsKey(p));
        if (ready) {
          ordered.add(t);
          placed.add(t.name());
          progress = true;
        }
      }
    }
    for (Table t : byName.values()) {
      if (!placed.contains(t.name())) {
        ordered.add(t);
      }
    }
    return ordered;
  }

  // ------------------------------------------------------------------ helpers

  private Connection reader(Endpoint e) throws SQLException {
    Connection c = connector.open(e, e.database(), APPLICATION_NAME);
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    c.setReadOnly(true);
    return c;
  }

  private static long count(Connection c, Table t) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*)" + t.from())) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void check(CompareInput input) {
    if (input == null || input.newDatabase() == null || input.oldDatabase() == null) {
      throw FailureType.INVALID_INPUT.failure("carry-over needs newDatabase and oldDatabase");
    }
  }

  private static int sample(CompareInput input) {
    Integer s = input.sampleKeys();
    return s == null ? DEFAULT_SAMPLE : Math.max(0, Math.min(MAX_SAMPLE, s));
  }

  private static void add(List<String> sample, String key, int max) {
    if (sample.size() < max) {
      sample.add(key.length() > 200 ? key.substring(0, 200) + "…" : key);
    }
  }

  private static String cut(String s) {
    return s == null ? "" : s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }

  private static void heartbeat(int done, int total) {
    ActivityExecutionContext ctx;
    try {
      ctx = Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException e) {
      return; // called directly (tests)
    }
    ctx.heartbeat(done + "/" + total + " tables");
  }
}
