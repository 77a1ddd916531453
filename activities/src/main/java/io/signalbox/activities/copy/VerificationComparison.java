package io.signalbox.activities.copy;

import io.signalbox.activities.postgres.CopyTextChecksum;
import io.signalbox.activities.postgres.TableScanner;
import io.signalbox.workflows.copy.CopyActivities.TableCheck;
import io.signalbox.workflows.copy.CopyActivities.VerificationReport;
import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.copy.SequencesResult;
import io.signalbox.workflows.copy.TableStats;
import io.signalbox.workflows.copy.TableStatsResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How verify reads each target table, and how it compares what it read with the dump's manifest.
 */
final class VerificationComparison {
  private VerificationComparison() {}

  /**
   * How each target table is read: the way its source checksum was computed. A checksum of the
   * dump's data file ({@link CopyTextChecksum#PREFIX}) compares with the target's COPY text, any
   * other with the server-side hash; without checksums, counts only.
   */
  static java.util.function.Function<String, TableScanner.Check> checkOf(
      DumpManifest manifest, boolean checksums) {
    Map<String, TableStats> source = byName(manifest.tables());
    return table -> {
      if (!checksums) {
        return TableScanner.Check.COUNT;
      }
      TableStats s = source.get(table);
      return s != null && CopyTextChecksum.isCopyText(s.checksum())
          ? TableScanner.Check.COPY_TEXT
          : TableScanner.Check.SQL_CHECKSUM;
    };
  }

  /** Compares the target with the manifest: tables, then sequences, then schema. */
  static VerificationReport report(
      DumpManifest manifest,
      TableStatsResult target,
      SequencesResult targetSequences,
      SchemaInventory targetInventory,
      boolean checksums) {
    Map<String, TableStats> source = byName(manifest.tables());
    Map<String, TableStats> copy = byName(target.tables());
    Set<String> names = new TreeSet<>(source.keySet());
    names.addAll(copy.keySet());
    List<TableCheck> tables = new ArrayList<>();
    for (String name : names) {
      TableStats s = source.get(name);
      TableStats t = copy.get(name);
      String problem = null;
      if (t == null) {
        problem = "missing on target";
      } else if (s == null) {
        problem = "not on source";
      } else if (s.rows() != t.rows()) {
        problem = "row count " + s.rows() + " != " + t.rows();
      } else if (checksums && s.checksum() != null && !s.checksum().equals(t.checksum())) {
        problem = "content checksum differs";
      }
      tables.add(
          new TableCheck(
              name,
              s == null ? null : s.rows(),
              t == null ? null : t.rows(),
              checksums && s != null ? s.checksum() : null,
              checksums && t != null ? t.checksum() : null,
              problem == null,
              problem));
    }
    // Mismatches first, so the gate's report and the failure message start with them.
    tables.sort(Comparator.comparing(TableCheck::ok).thenComparing(TableCheck::table));
    List<String> sequences =
        SequencesResult.behind(new SequencesResult(manifest.sequences()), targetSequences);
    List<String> schema =
        manifest.inventory() == null
            ? List.of()
            : manifest.inventory().differences(targetInventory);
    long bad = tables.stream().filter(t -> !t.ok()).count();
    boolean matches = bad == 0 && sequences.isEmpty() && schema.isEmpty();
    long sourceRows = manifest.totalRows();
    long targetRows = target.totalRows();
    String summary =
        matches
            ? tables.size()
                + " tables and "
                + sourceRows
                + " rows match"
                + (checksums ? " (counts and content checksums)" : " (row counts)")
                + ", sequences and schema too"
            : bad
                + " of "
                + tables.size()
                + " tables differ, "
                + sequences.size()
                + " sequences behind, "
                + schema.size()
                + " schema differences";
    return new VerificationReport(
        matches, summary, checksums, sourceRows, targetRows, tables, sequences, schema);
  }

  private static Map<String, TableStats> byName(List<TableStats> tables) {
    Map<String, TableStats> m = new TreeMap<>();
    if (tables != null) {
      tables.forEach(t -> m.put(t.table(), t));
    }
    return m;
  }
}
