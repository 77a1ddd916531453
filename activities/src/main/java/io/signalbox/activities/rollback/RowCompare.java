package io.signalbox.activities.rollback;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The catalog reads and the row streams that {@link CarryOverActivitiesImpl} compares: a table's
 * primary key as PostgreSQL row text ({@code ROW(k1, k2)::text}) and an MD5 of the whole row's
 * text, computed by each server, so two servers of the same schema give the same strings for the
 * same row.
 */
final class RowCompare {

  private RowCompare() {}

  /** How many rows a stream fetches at a time: keeps a big table out of the worker's memory. */
  static final int FETCH_SIZE = 5_000;

  /**
   * A user table.
   *
   * @param name {@code schema.table}, quoted where needed
   * @param partitioned a partitioned table (read with its partitions)
   * @param primaryKey key columns, empty without a primary key
   * @param shape every column with its type, to tell whether both sides match
   * @param insertable the columns an INSERT may set
   */
  record Table(
      String name,
      boolean partitioned,
      List<String> primaryKey,
      String shape,
      List<String> insertable) {

    boolean keyed() {
      return !primaryKey.isEmpty();
    }

    /** {@code FROM [ONLY] name t}: a plain table without its inheritance children. */
    String from() {
      return (partitioned ? " FROM " : " FROM ONLY ") + name + " t";
    }

    /** {@code ROW(t."a", t."b")::text}. */
    String keyText() {
      List<String> cols = new ArrayList<>();
      primaryKey.forEach(k -> cols.add("t." + ident(k)));
      return "ROW(" + String.join(", ", cols) + ")::text";
    }
  }

  static String sql(String name) {
    try (InputStream in = RowCompare.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The user tables by name. */
  static Map<String, Table> tables(Connection c) throws SQLException {
    Map<String, Table> tables = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql("tables.sql"))) {
      while (rs.next()) {
        tables.put(
            rs.getString(1),
            new Table(
                rs.getString(1),
                rs.getBoolean(2),
                strings(rs.getArray(3)),
                rs.getString(4),
                strings(rs.getArray(5))));
      }
    }
    return tables;
  }

  /** Child → parents, from the foreign keys. */
  static Map<String, List<String>> parents(Connection c) throws SQLException {
    Map<String, List<String>> parents = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql("foreign-keys.sql"))) {
      while (rs.next()) {
        parents.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
      }
    }
    return parents;
  }

  /** Sequence → last value. */
  static Map<String, Long> sequences(Connection c) throws SQLException {
    Map<String, Long> out = new LinkedHashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql("sequences.sql"))) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
    }
    return out;
  }

  /**
   * Streams {@code (key, md5)} of every row of a keyed table, or {@code (md5, md5)} of a table
   * without a key. Needs a connection with autocommit off (PgJDBC streams only inside a
   * transaction).
   */
  static void rows(Connection c, Table t, boolean byKey, BiConsumer<String, String> row)
      throws SQLException {
    String key = byKey ? t.keyText() : "md5(t::text)";
    try (PreparedStatement ps = c.prepareStatement("SELECT " + key + ", md5(t::text)" + t.from())) {
      ps.setFetchSize(FETCH_SIZE);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          row.accept(rs.getString(1), rs.getString(2));
        }
      }
    }
  }

  /** Streams {@code (key, md5, row as JSON)} of a keyed table. */
  static void rowsWithJson(Connection c, Table t, RowSink sink) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + t.keyText() + ", md5(t::text), row_to_json(t)::text" + t.from())) {
      ps.setFetchSize(FETCH_SIZE);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          sink.accept(rs.getString(1), rs.getString(2), rs.getString(3));
        }
      }
    }
  }

  @FunctionalInterface
  interface RowSink {
    void accept(String key, String md5, String json) throws SQLException;
  }

  /** A quoted identifier, as {@code quote_ident} would always quote it. */
  static String ident(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  private static List<String> strings(Array array) throws SQLException {
    if (array == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Object o : (Object[]) array.getArray()) {
      out.add((String) o);
    }
    return List.copyOf(out);
  }
}
