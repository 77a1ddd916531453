package io.signalbox.activities.postgres;

import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.copy.SchemaObject;
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
    Map<String, Long> sizes = new TreeMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
                    + " pg_catalog.pg_table_size(c.oid) FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
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
   * {@link #dataTables} with an estimate of the bytes pg_dump writes for each one's rows as COPY
   * text: the planner's row count times the columns' average width ({@code pg_stats.avg_width})
   * plus a delimiter per column; {@code pg_table_size} for a table never analyzed. Closer than the
   * table size, which counts tuple headers, alignment and free space.
   */
  public static Map<String, Long> copyTextEstimates(Connection c) throws SQLException {
    Map<String, Long> sizes = new TreeMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
                    + " CASE WHEN c.reltuples >= 0 AND w.width IS NOT NULL"
                    + " THEN (c.reltuples * w.width)::bigint"
                    + " ELSE pg_catalog.pg_table_size(c.oid) END"
                    + " FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " LEFT JOIN LATERAL (SELECT sum(s.avg_width + 1) AS width"
                    + " FROM pg_catalog.pg_stats s"
                    + " WHERE s.schemaname = n.nspname AND s.tablename = c.relname) w ON true"
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

  /**
   * The schema inventory: schemas, extensions (names only: a target may be a newer release), types
   * (enum, domain, composite), tables, columns, indexes, constraints, views, materialized views,
   * functions, triggers and sequences, outside the system schemas and not belonging to an
   * extension. Owners and privileges are left out.
   *
   * <p>Source and target may run different major versions (a copy from 13 into 15). Each server
   * describes its own objects, so definitions are read as catalog facts that mean the same on every
   * version where that is possible (column and sequence types through {@code format_type}, function
   * bodies by digest), and the deparsed texts ({@code pg_get_indexdef}, {@code pg_get_viewdef},
   * constraint and trigger definitions) are those of the restored objects: pg_dump writes the
   * source's definitions, the target parses them again, and both deparse the same parse tree the
   * same way on 13 and 15 ({@code CrossVersionCopyTest} checks this on the shapes dataset). What a
   * newer server adds by itself is left out, each where it is read and with why that is safe:
   * multirange constructors ({@link #multirangeConstructor}), partition clones of triggers, and NOT
   * NULL constraint rows.
   */
  public static SchemaInventory inventory(Connection c) throws SQLException {
    SessionSettings.apply(c);
    int version = serverVersionNum(c);
    // SQL-standard function bodies (BEGIN ATOMIC) exist from PostgreSQL 14 on.
    String sqlBody =
        version >= 140000 ? " || COALESCE(pg_catalog.pg_get_function_sqlbody(p.oid), '')" : "";
    List<SchemaObject> objects = new ArrayList<>();
    String relFilter = USER_SCHEMA + " AND " + notExtensionMember("pg_catalog.pg_class", "c.oid");
    String rel =
        " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace ";

    collect(
        c,
        objects,
        "schema",
        "SELECT pg_catalog.quote_ident(n.nspname), '' FROM pg_catalog.pg_namespace n WHERE "
            + USER_SCHEMA
            + " AND "
            + notExtensionMember("pg_catalog.pg_namespace", "n.oid"));
    collect(
        c,
        objects,
        "extension",
        "SELECT pg_catalog.quote_ident(extname), '' FROM pg_catalog.pg_extension");
    collect(
        c,
        objects,
        "type",
        "SELECT pg_catalog.format('%I.%I', n.nspname, t.typname),"
            + " CASE t.typtype"
            + "  WHEN 'e' THEN 'enum (' || (SELECT pg_catalog.string_agg("
            + "     pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)"
            + "     FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid) || ')'"
            + "  WHEN 'd' THEN 'domain ' || pg_catalog.format_type(t.typbasetype, t.typtypmod)"
            + "     || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END"
            + "     || COALESCE(' DEFAULT ' || t.typdefault, '')"
            + "  WHEN 'c' THEN 'composite (' || (SELECT pg_catalog.string_agg("
            + "     pg_catalog.quote_ident(a.attname) || ' '"
            + "     || pg_catalog.format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)"
            + "     FROM pg_catalog.pg_attribute a WHERE a.attrelid = t.typrelid"
            + "     AND a.attnum > 0 AND NOT a.attisdropped) || ')'"
            + "  WHEN 'r' THEN 'range of ' || (SELECT pg_catalog.format_type(r.rngsubtype, NULL)"
            + "     FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid)"
            + "  ELSE t.typtype::text END"
            + " FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
            + " WHERE "
            + USER_SCHEMA
            + " AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT relkind"
            + "   FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c'))"
            + " AND "
            + notExtensionMember("pg_catalog.pg_type", "t.oid"));
    collect(
        c,
        objects,
        "table",
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
            + " CASE c.relkind WHEN 'p' THEN 'partitioned table ' ||"
            + "   pg_catalog.pg_get_partkeydef(c.oid) WHEN 'f' THEN 'foreign table'"
            + "   ELSE 'table' END"
            + " || CASE WHEN c.relpersistence = 'u' THEN ' unlogged' ELSE '' END"
            + " || CASE WHEN c.relispartition THEN ' partition of ' || (SELECT"
            + "   pg_catalog.format('%I.%I', pn.nspname, pc.relname) FROM pg_catalog.pg_inherits i"
            + "   JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent"
            + "   JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace"
            + "   WHERE i.inhrelid = c.oid) || ' ' || pg_catalog.pg_get_expr(c.relpartbound, c.oid)"
            + "   ELSE '' END"
            + " || CASE WHEN c.relrowsecurity THEN ' row security' ELSE '' END"
            + rel
            + "WHERE c.relkind IN ('r', 'p', 'f') AND "
            + relFilter);
    collect(
        c,
        objects,
        "column",
        "SELECT pg_catalog.format('%I.%I.%I', n.nspname, c.relname, a.attname),"
            + " '#' || pg_catalog.row_number() OVER (PARTITION BY c.oid ORDER BY a.attnum) || ' '"
            + " || pg_catalog.format_type(a.atttypid, a.atttypmod)"
            + " || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
            + " || CASE a.attidentity WHEN 'a' THEN ' GENERATED ALWAYS AS IDENTITY'"
            + "    WHEN 'd' THEN ' GENERATED BY DEFAULT AS IDENTITY' ELSE '' END"
            + " || CASE WHEN a.attgenerated = 's' THEN ' GENERATED ALWAYS AS ('"
            + "    || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'"
            + "    WHEN ad.adbin IS NOT NULL THEN ' DEFAULT '"
            + "    || pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END"
            + " || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation"
            + "    THEN ' COLLATE ' || (SELECT pg_catalog.format('%I.%I', cn.nspname, co.collname)"
            + "    FROM pg_catalog.pg_collation co"
            + "    JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace"
            + "    WHERE co.oid = a.attcollation) ELSE '' END"
            + rel
            + "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
            + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
            + " LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum"
            + " WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND a.attnum > 0"
            + " AND NOT a.attisdropped AND "
            + relFilter);
    collect(
        c,
        objects,
        "index",
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
            + " pg_catalog.pg_get_indexdef(c.oid)"
            + rel
            + "JOIN pg_catalog.pg_index x ON x.indexrelid = c.oid"
            + " WHERE c.relkind IN ('i', 'I') AND "
            + relFilter
            + " AND "
            + notExtensionMember("pg_catalog.pg_class", "x.indrelid"));
    collect(
        c,
        objects,
        "constraint",
        "SELECT CASE WHEN k.conrelid <> 0"
            + "  THEN pg_catalog.format('%I.%I.%I', n.nspname, c.relname, k.conname)"
            + "  ELSE pg_catalog.format('%I.%I.%I', tn.nspname, t.typname, k.conname) END,"
            + " pg_catalog.pg_get_constraintdef(k.oid)"
            + " FROM pg_catalog.pg_constraint k"
            + " LEFT JOIN pg_catalog.pg_class c ON c.oid = k.conrelid"
            + " LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " LEFT JOIN pg_catalog.pg_type t ON t.oid = k.contypid"
            + " LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid = t.typnamespace"
            // NOT NULL is compared with its column (attnotnull); from PostgreSQL 18 on it is
            // also a constraint row, which an older source does not have.
            + " WHERE k.contype <> 'n' AND ((k.conrelid <> 0 AND "
            + relFilter
            + ") OR (k.contypid <> 0 AND tn.nspname <> 'information_schema'"
            + "  AND tn.nspname !~ '^pg_' AND "
            + notExtensionMember("pg_catalog.pg_type", "t.oid")
            + "))");
    collect(
        c,
        objects,
        "view",
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
            + " pg_catalog.pg_get_viewdef(c.oid, true)"
            + rel
            + "WHERE c.relkind = 'v' AND "
            + relFilter);
    collect(
        c,
        objects,
        "materialized view",
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
            + " pg_catalog.pg_get_viewdef(c.oid, true)"
            + rel
            + "WHERE c.relkind = 'm' AND "
            + relFilter);
    collect(
        c,
        objects,
        "function",
        "SELECT p.oid::pg_catalog.regprocedure::pg_catalog.text,"
            + " CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate'"
            + "   WHEN 'w' THEN 'window' ELSE 'function' END"
            + " || ' returns ' || COALESCE(pg_catalog.pg_get_function_result(p.oid), 'void')"
            + " || ' language ' || l.lanname || ' volatility ' || p.provolatile::pg_catalog.text"
            + " || CASE WHEN p.proisstrict THEN ' strict' ELSE '' END"
            + " || CASE WHEN p.prosecdef THEN ' security definer' ELSE '' END"
            + " || ' body md5 ' || pg_catalog.md5(COALESCE(p.prosrc, '')"
            + sqlBody
            + ")"
            + " FROM pg_catalog.pg_proc p"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
            + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
            + " WHERE "
            + USER_SCHEMA
            + " AND "
            + notExtensionMember("pg_catalog.pg_proc", "p.oid")
            + " AND NOT "
            + multirangeConstructor("p.oid"));
    collect(
        c,
        objects,
        "trigger",
        "SELECT pg_catalog.format('%I.%I.%I', n.nspname, c.relname, g.tgname),"
            + " pg_catalog.pg_get_triggerdef(g.oid)"
            + rel
            + "JOIN pg_catalog.pg_trigger g ON g.tgrelid = c.oid"
            + " WHERE NOT g.tgisinternal AND "
            // A trigger on a partitioned table is cloned onto each partition. The clones are
            // internal up to 14 and ordinary from 15 on; either way the server makes them from
            // the parent's trigger (compared here) and keeps them equal to it, so only triggers
            // of their own (tgparentid 0, a column since 13) are listed. Older servers mark every
            // clone internal, which the test above already leaves out.
            + (version >= 130000 ? "g.tgparentid = 0 AND " : "")
            + relFilter);
    collect(
        c,
        objects,
        "policy",
        "SELECT pg_catalog.format('%I.%I.%I', n.nspname, c.relname, p.polname),"
            + " CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END"
            + " || ' for ' || p.polcmd::pg_catalog.text"
            + " || ' to ' || COALESCE((SELECT pg_catalog.string_agg(CASE WHEN r = 0 THEN 'public'"
            + "   ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(r)) END, ', ' ORDER BY 1)"
            + "   FROM pg_catalog.unnest(p.polroles) AS r), '')"
            + " || COALESCE(' using (' || pg_catalog.pg_get_expr(p.polqual, p.polrelid) || ')', '')"
            + " || COALESCE(' check (' || pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid)"
            + "   || ')', '')"
            + rel
            + "JOIN pg_catalog.pg_policy p ON p.polrelid = c.oid WHERE "
            + relFilter);
    collect(
        c,
        objects,
        "rule",
        "SELECT pg_catalog.format('%I.%I.%I', n.nspname, c.relname, r.rulename),"
            + " pg_catalog.pg_get_ruledef(r.oid)"
            + rel
            + "JOIN pg_catalog.pg_rewrite r ON r.ev_class = c.oid"
            + " WHERE r.rulename <> '_RETURN' AND "
            + relFilter);
    collect(
        c,
        objects,
        "sequence",
        "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname),"
            + " pg_catalog.format_type(s.seqtypid, NULL) || ' start ' || s.seqstart"
            + " || ' increment ' || s.seqincrement || ' min ' || s.seqmin || ' max ' || s.seqmax"
            + " || ' cache ' || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END"
            + " || COALESCE((SELECT CASE d.deptype WHEN 'i' THEN ' identity of ' ELSE"
            + "   ' owned by ' END || pg_catalog.format('%I.%I.%I', tn.nspname, tc.relname,"
            + "   a.attname) FROM pg_catalog.pg_depend d"
            + "   JOIN pg_catalog.pg_class tc ON tc.oid = d.refobjid"
            + "   JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace"
            + "   JOIN pg_catalog.pg_attribute a"
            + "     ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
            + "   WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass"
            + "     AND d.objid = c.oid"
            + "     AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass"
            + "     AND d.deptype IN ('a', 'i') LIMIT 1), '')"
            + rel
            + "JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid"
            + " WHERE c.relkind = 'S' AND "
            + relFilter);
    objects.sort(Comparator.comparing(SchemaObject::kind).thenComparing(SchemaObject::name));
    return new SchemaInventory(List.copyOf(objects));
  }

  /**
   * Whether the function {@code oid} is one of the constructors that PostgreSQL 14 and later create
   * with every range type for its multirange type ({@code pg_depend} type {@code i}, internal, on a
   * type of {@code typtype 'm'}).
   *
   * <p>Why leaving them out is safe: they are not user-written; the server creates them with the
   * range type (which the inventory compares, as {@code range of <subtype>}) and drops them with
   * it, and they cannot be dropped or changed on their own. A 13 source has no multirange, so
   * comparing them would report three functions "not on source" for every range type after a
   * faithful copy into 14 or later. On 13 no type has {@code typtype 'm'}, so the test is false.
   */
  static String multirangeConstructor(String oid) {
    return "EXISTS (SELECT 1 FROM pg_catalog.pg_depend dm"
        + " JOIN pg_catalog.pg_type mt ON mt.oid = dm.refobjid"
        + " WHERE dm.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND dm.objid = "
        + oid
        + " AND dm.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass"
        + " AND dm.deptype = 'i' AND mt.typtype = 'm')";
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

  private static void collect(Connection c, List<SchemaObject> out, String kind, String sql)
      throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(new SchemaObject(kind, rs.getString(1), rs.getString(2)));
      }
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
