package io.signalbox.workflows.copy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Result of {@link PostgresActivities#tableStats}.
 *
 * @param tables one entry per table, sorted by name
 * @param snapshotId the snapshot all tables were read in, or null when none could be exported
 * @param checksums whether checksums were computed
 */
public record TableStatsResult(List<TableStats> tables, String snapshotId, boolean checksums) {

  /** Total rows over all tables. */
  public long totalRows() {
    return tables.stream().mapToLong(TableStats::rows).sum();
  }

  /**
   * What differs between a source and a target, table by table: missing and extra tables, row
   * counts, and checksums where both sides have one. Empty when they match. Pure function: usable
   * in workflow code.
   */
  public static List<TableMismatch> compare(TableStatsResult source, TableStatsResult target) {
    Map<String, TableStats> s = byName(source);
    Map<String, TableStats> t = byName(target);
    List<TableMismatch> out = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(s.keySet());
    names.addAll(t.keySet());
    for (String name : names) {
      TableStats a = s.get(name);
      TableStats b = t.get(name);
      if (b == null) {
        out.add(new TableMismatch(name, "missing on target", a.rows(), null));
      } else if (a == null) {
        out.add(new TableMismatch(name, "not on source", null, b.rows()));
      } else if (a.rows() != b.rows()) {
        out.add(
            new TableMismatch(
                name, "row count " + a.rows() + " != " + b.rows(), a.rows(), b.rows()));
      } else if (a.checksum() != null
          && b.checksum() != null
          && !a.checksum().equals(b.checksum())) {
        out.add(new TableMismatch(name, "content checksum differs", a.rows(), b.rows()));
      }
    }
    return out;
  }

  private static Map<String, TableStats> byName(TableStatsResult r) {
    Map<String, TableStats> m = new TreeMap<>();
    if (r != null && r.tables() != null) {
      r.tables().forEach(x -> m.put(x.table(), x));
    }
    return m;
  }

  /**
   * One table that does not match.
   *
   * @param table the quoted, schema-qualified table name
   * @param problem what differs, for the report
   * @param sourceRows rows on the source, null when the table is not there
   * @param targetRows rows on the target, null when the table is not there
   */
  public record TableMismatch(String table, String problem, Long sourceRows, Long targetRows) {}
}
