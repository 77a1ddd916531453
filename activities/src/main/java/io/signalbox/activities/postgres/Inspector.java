package io.signalbox.activities.postgres;

import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.copy.SequenceState;
import io.signalbox.workflows.copy.SequencesResult;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.copy.TableStats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Read-only catalog and data queries on a connection the caller owns: describe a database, list its
 * tables, count and checksum them, read sequences and the schema inventory.
 *
 * <p>Nothing here opens, commits or closes a connection, so these methods run inside whatever
 * transaction the caller holds, e.g. one that imported the dump's exported snapshot ({@code SET
 * TRANSACTION SNAPSHOT}), making the counts exact for that dump. Methods that read data or
 * definitions call {@link SessionSettings#apply} first ({@code SET} is not a query, so it may come
 * after {@code SET TRANSACTION SNAPSHOT}).
 *
 * <p>Every identifier that goes into SQL text comes from the server already quoted ({@code
 * format('%I.%I', …)}); catalog names are never concatenated unquoted. Results are sorted in Java
 * (not by the server's collation) so two servers produce the same order.
 */
public final class Inspector {

  private Inspector() {}

  /**
   * Schemas and objects Signalbox looks at: not the system schemas ({@code pg_*}, {@code
   * information_schema}); extension members are excluded per query through {@code pg_depend}.
   */
  static final String USER_SCHEMA = "n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'";

  static String notExtensionMember(String catalog, String oid) {
    return "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend dx WHERE dx.classid = '"
        + catalog
        + "'::pg_catalog.regclass AND dx.objid = "
        + oid
        + " AND dx.deptype = 'e')";
  }

  /** Version, size, extensions and user table count of the connected database. */
  public static ServerDescription describe(Connection c, String endpoint) throws SQLException {
    int versionNum;
    String version;
    String versionString;
    long size;
    String encoding;
    String collation;
    boolean inRecovery;
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.current_setting('server_version_num')::int,"
                    + " pg_catalog.current_setting('server_version'), pg_catalog.version(),"
                    + " pg_catalog.pg_database_size(d.oid),"
                    + " pg_catalog.pg_encoding_to_char(d.encoding), d.datcollate,"
                    + " pg_catalog.pg_is_in_recovery()"
                    + " FROM pg_catalog.pg_database d WHERE d.datname ="
                    + " pg_catalog.current_database()")) {
      rs.next();
      versionNum = rs.getInt(1);
      version = rs.getString(2);
      versionString = rs.getString(3);
      size = rs.getLong(4);
      encoding = rs.getString(5);
      collation = rs.getString(6);
      inRecovery = rs.getBoolean(7);
    }
    List<ServerDescription.Extension> extensions = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT extname, extversion FROM pg_catalog.pg_extension")) {
      while (rs.next()) {
        extensions.add(new ServerDescription.Extension(rs.getString(1), rs.getString(2)));
      }
    }
    extensions.sort(Comparator.comparing(ServerDescription.Extension::name));
    return new ServerDescription(
        endpoint,
        versionNum,
        version,
        versionString,
        size,
        List.copyOf(extensions),
        userTables(c).size(),
        encoding,
        collation,
        inRecovery);
  }

  /**
   * The user tables that make a database "not empty": ordinary, partitioned and foreign tables
   * outside the system schemas that do not belong to an extension, quoted and schema-qualified,
   * sorted.
   */
  public static List<String> userTables(Connection c) throws SQLException {
    return strings(
        c,
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p', 'f') AND "
            + USER_SCHEMA
            + " AND "
            + notExtensionMember("pg_catalog.pg_class", "c.oid"));
  }

  /**
   * The tables whose rows Signalbox counts and checksums, quoted and schema-qualified, sorted:
   * ordinary tables (leaf partitions included) outside the system schemas that do not belong to an
   * extension. Partitioned parents hold no rows of their own and are left out, so each row is
   * counted once, in its leaf; each table is read with {@code ONLY}, so old-style inheritance
   * children are not counted in their parent too. Materialized views are left out (a restore
   * refreshes them).
   */
  public static List<String> dataTables(Connection c) throws SQLException {
    return strings(
        c,
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind = 'r' AND "
            + USER_SCHEMA
            + " AND "
            + notExtensionMember("pg_catalog.pg_class", "c.oid"));
  }

  /** {@link #dataTables} with their size estimate in pages, largest first (for scheduling). */
  static List<String> dataTablesLargestFirst(Connection c) throws SQLException {
    List<String[]> rows = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), c.relpages"
                    + " FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind = 'r' AND "
                    + USER_SCHEMA
                    + " AND "
                    + notExtensionMember("pg_catalog.pg_class", "c.oid"))) {
      while (rs.next()) {
        rows.add(new String[] {rs.getString(1), Long.toString(rs.getLong(2))});
      }
    }
    rows.sort(
        Comparator.<String[]>comparingLong(r -> -Long.parseLong(r[1])).thenComparing(r -> r[0]));
    return rows.stream().map(r -> r[0]).toList();
  }

  /**
   * {@link #dataTables} with the size of each one's rows ({@code pg_table_size}: heap and TOAST, no
   * indexes), for progress: what a dump writes and a verification reads is about this much.
   */
  public static Map<String, Long> dataTableSizes(Connection c) throws SQLException {
    return tableSizes(c, "pg_catalog.pg_table_size(c.oid)", "");
  }

  /**
   * {@link #dataTables} with an estimate of the bytes pg_dump writes for each one's rows as COPY
   * text: the planner's row count times the columns' average width ({@code pg_stats.avg_width})
   * plus a delimiter per column; {@code pg_table_size} for a table never analyzed. Closer than the
   * table size, which counts tuple headers, alignment and free space.
   */
  public static Map<String, Long> copyTextEstimates(Connection c) throws SQLException {
    return tableSizes(
        c,
        "CASE WHEN c.reltuples >= 0 AND w.width IS NOT NULL"
            + " THEN (c.reltuples * w.width)::bigint"
            + " ELSE pg_catalog.pg_table_size(c.oid) END",
        " LEFT JOIN LATERAL (SELECT sum(s.avg_width + 1) AS width"
            + " FROM pg_catalog.pg_stats s"
            + " WHERE s.schemaname = n.nspname AND s.tablename = c.relname) w ON true");
  }

  /**
   * Every table of {@link #dataTables} with one figure each: {@code size}, an SQL expression over
   * {@code c} (pg_class), {@code n} (pg_namespace) and what {@code join} adds.
   */
  private static Map<String, Long> tableSizes(Connection c, String size, String join)
      throws SQLException {
    Map<String, Long> sizes = new TreeMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), "
                    + size
                    + " FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + join
                    + " WHERE c.relkind = 'r' AND "
                    + USER_SCHEMA
                    + " AND "
                    + notExtensionMember("pg_catalog.pg_class", "c.oid"))) {
      while (rs.next()) {
        sizes.put(rs.getString(1), rs.getLong(2));
      }
    }
    return sizes;
  }

  /**
   * The query that counts (and checksums) one table. {@code table} must be a quoted name from
   * {@link #dataTables}. The checksum is the sum of a 64-bit hash of each row's text form: the same
   * rows give the same sum in any order, one changed value changes it. The row is referenced as
   * {@code sb_row.*} so a column that happens to share the alias cannot shadow it.
   */
  static String statsQuery(String table, boolean checksum) {
    return checksum
        ? "SELECT pg_catalog.count(*), COALESCE(pg_catalog.sum("
            + "pg_catalog.hashtextextended((sb_row.*)::pg_catalog.text, 0)), 0)::pg_catalog.text"
            + " FROM ONLY "
            + table
            + " AS sb_row"
        : "SELECT pg_catalog.count(*), NULL::pg_catalog.text FROM ONLY " + table;
  }

  /** Row count and optional checksum of one table, in the connection's current transaction. */
  public static TableStats tableStats(Connection c, String table, boolean checksum)
      throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(statsQuery(table, checksum))) {
      rs.next();
      return new TableStats(table, rs.getLong(1), rs.getString(2));
    }
  }

  /**
   * Every table's row count (and checksum), one after the other on this connection and in its
   * current transaction, e.g. one that holds the dump's exported snapshot. For many or large tables
   * use {@link TableScanner}, which spreads them over several connections in one snapshot.
   */
  public static List<TableStats> tableStats(Connection c, boolean checksums) throws SQLException {
    SessionSettings.apply(c);
    List<TableStats> out = new ArrayList<>();
    for (String t : dataTables(c)) {
      out.add(tableStats(c, t, checksums));
    }
    return out;
  }

  /** Every table's row count, in the connection's current transaction (see {@link #tableStats}). */
  public static Map<String, Long> rowCounts(Connection c) throws SQLException {
    Map<String, Long> counts = new TreeMap<>();
    for (TableStats s : tableStats(c, false)) {
      counts.put(s.table(), s.rows());
    }
    return counts;
  }

  /**
   * Which of {@code required} extensions the server cannot provide, and which it would have to
   * create.
   */
  public static ExtensionGaps extensionGaps(Connection c, List<String> required)
      throws SQLException {
    Map<String, Boolean> available = new TreeMap<>(); // name -> installed
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT name, installed_version IS NOT NULL"
                    + " FROM pg_catalog.pg_available_extensions")) {
      while (rs.next()) {
        available.put(rs.getString(1), rs.getBoolean(2));
      }
    }
    // An extension can be installed without its control file being available (removed package).
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT extname FROM pg_catalog.pg_extension")) {
      while (rs.next()) {
        available.put(rs.getString(1), true);
      }
    }
    List<String> missing = new ArrayList<>();
    List<String> toCreate = new ArrayList<>();
    for (String ext : required == null ? List.<String>of() : required) {
      Boolean installed = available.get(ext);
      if (installed == null) {
        missing.add(ext);
      } else if (!installed) {
        toCreate.add(ext);
      }
    }
    missing.sort(null);
    toCreate.sort(null);
    return new ExtensionGaps(List.copyOf(missing), List.copyOf(toCreate));
  }

  /**
   * Required extensions a server lacks.
   *
   * @param missing neither installed nor available to install
   * @param toCreate available but not installed: a restore creates them
   */
  public record ExtensionGaps(List<String> missing, List<String> toCreate) {}

  /** Every sequence outside the system schemas with its position, sorted by name. */
  public static SequencesResult sequences(Connection c) throws SQLException {
    SessionSettings.apply(c);
    record Seq(String name, String ownedBy, long increment) {}
    List<Seq> seqs = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), s.seqincrement,"
                    + " (SELECT pg_catalog.format('%I.%I.%I', tn.nspname, tc.relname, a.attname)"
                    + "  FROM pg_catalog.pg_depend d"
                    + "  JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid"
                    + "  JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace"
                    + "  JOIN pg_catalog.pg_attribute a"
                    + "    ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
                    + "  WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
                    + "    AND d.objid = c.oid"
                    + "    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
                    + "    AND d.deptype IN ('a', 'i') LIMIT 1)"
                    + " FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
                    + " WHERE c.relkind = 'S' AND "
                    + USER_SCHEMA
                    + " AND "
                    + notExtensionMember("pg_catalog.pg_class", "c.oid"))) {
      while (rs.next()) {
        seqs.add(new Seq(rs.getString(1), rs.getString(3), rs.getLong(2)));
      }
    }
    seqs.sort(Comparator.comparing(Seq::name));
    List<SequenceState> out = new ArrayList<>();
    // One round trip per chunk: SELECT i, last_value, is_called FROM seq UNION ALL ...
    final int chunk = 200;
    for (int from = 0; from < seqs.size(); from += chunk) {
      List<Seq> part = seqs.subList(from, Math.min(seqs.size(), from + chunk));
      StringBuilder sql = new StringBuilder();
      for (int i = 0; i < part.size(); i++) {
        if (i > 0) {
          sql.append(" UNION ALL ");
        }
        sql.append("SELECT ")
            .append(i)
            .append(", last_value, is_called FROM ")
            .append(part.get(i).name());
      }
      long[] last = new long[part.size()];
      boolean[] called = new boolean[part.size()];
      try (Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql.toString())) {
        while (rs.next()) {
          last[rs.getInt(1)] = rs.getLong(2);
          called[rs.getInt(1)] = rs.getBoolean(3);
        }
      }
      for (int i = 0; i < part.size(); i++) {
        Seq s = part.get(i);
        out.add(new SequenceState(s.name(), s.ownedBy(), last[i], called[i], s.increment()));
      }
    }
    return new SequencesResult(List.copyOf(out));
  }

  /** The schema inventory, read by {@link SchemaInventoryReader#inventory}. */
  public static SchemaInventory inventory(Connection c) throws SQLException {
    return SchemaInventoryReader.inventory(c);
  }

  /** {@code server_version_num} of the connected server. */
  public static int serverVersionNum(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("SELECT pg_catalog.current_setting('server_version_num')::int")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement(sql);
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    out.sort(null);
    return out;
  }
}
