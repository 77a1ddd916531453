package io.signalbox.activities.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Orders the {@code TABLE DATA} entries of a dump's table of contents so that a data-only restore
 * into a schema that already has its foreign keys loads every referenced table before the tables
 * that reference it. A full dump lists table data by name (its foreign keys are created after the
 * data), so {@code pg_restore --data-only} in that order fails on the first child table whose name
 * sorts before its parent's. The order goes to {@code pg_restore --use-list}, restoring serially.
 *
 * <p>Tables in a foreign-key cycle keep their dump order (no order satisfies them; such a schema
 * needs a full restore, {@code target.reset}).
 */
final class DataOnlyOrder {

  /** Child table → the tables it references ({@code schema name}, unquoted, as the list shows). */
  private static final String FOREIGN_KEYS =
      """
      SELECT cn.nspname || ' ' || c.relname AS child, pn.nspname || ' ' || p.relname AS parent
        FROM pg_catalog.pg_constraint k
        JOIN pg_catalog.pg_class c ON c.oid = k.conrelid
        JOIN pg_catalog.pg_namespace cn ON cn.oid = c.relnamespace
        JOIN pg_catalog.pg_class p ON p.oid = k.confrelid
        JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
       WHERE k.contype = 'f' AND k.conrelid <> k.confrelid
      """;

  private static final String DATA = " TABLE DATA ";

  private DataOnlyOrder() {}

  /** The foreign-key edges of the target database. */
  static Map<String, Set<String>> foreignKeys(Connection c) throws SQLException {
    Map<String, Set<String>> parents = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(FOREIGN_KEYS)) {
      while (rs.next()) {
        parents
            .computeIfAbsent(rs.getString("child"), k -> new LinkedHashSet<>())
            .add(rs.getString("parent"));
      }
    }
    return parents;
  }

  /**
   * The lines of {@code pg_restore --list} with the table data entries reordered parents first;
   * every other line stays where it is.
   */
  static List<String> reorder(List<String> list, Map<String, Set<String>> parents) {
    List<Integer> slots = new ArrayList<>();
    Map<String, String> byTable = new HashMap<>();
    List<String> tables = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String line = list.get(i);
      int at = line.indexOf(DATA);
      if (line.startsWith(";") || at < 0) {
        continue;
      }
      // "ID; 0 OID TABLE DATA schema name owner"
      String rest = line.substring(at + DATA.length());
      int owner = rest.lastIndexOf(' ');
      String table = owner < 0 ? rest : rest.substring(0, owner);
      slots.add(i);
      tables.add(table);
      byTable.put(table, line);
    }
    List<String> ordered = new ArrayList<>();
    Set<String> done = new HashSet<>();
    for (String table : tables) {
      visit(table, parents, byTable, done, new HashSet<>(), ordered);
    }
    List<String> out = new ArrayList<>(list);
    for (int k = 0; k < slots.size(); k++) {
      out.set(slots.get(k), byTable.get(ordered.get(k)));
    }
    return out;
  }

  private static void visit(
      String table,
      Map<String, Set<String>> parents,
      Map<String, String> byTable,
      Set<String> done,
      Set<String> path,
      List<String> ordered) {
    if (done.contains(table) || !byTable.containsKey(table) || !path.add(table)) {
      return; // done, not in this dump, or a cycle: keep the dump's order
    }
    for (String parent : parents.getOrDefault(table, Set.of())) {
      visit(parent, parents, byTable, done, path, ordered);
    }
    path.remove(table);
    done.add(table);
    ordered.add(table);
  }
}
