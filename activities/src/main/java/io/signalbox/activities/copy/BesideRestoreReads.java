package io.signalbox.activities.copy;

import io.signalbox.activities.postgres.CopyTextChecksum;
import io.signalbox.activities.postgres.LoadedTableChecksums;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.SnapshotDump;
import io.signalbox.activities.postgres.TableScanner;
import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.copy.TableStats;
import io.signalbox.workflows.copy.TableStatsResult;
import io.signalbox.workflows.core.Endpoint;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The content checksums a restore reads on the target beside pg_restore, table by table as each is
 * loaded, kept for the verify that follows; and that verify's scan, which counts those tables again
 * and reads again only the ones written since.
 */
final class BesideRestoreReads {
  private static final Logger log = LoggerFactory.getLogger(BesideRestoreReads.class);

  private final PgTools tools;

  /**
   * The content checksums a restore read beside pg_restore, by dump directory and target, until the
   * verify that follows takes them (once: a verify after that reads the target again). At most a
   * few, the oldest dropped.
   */
  private final Map<String, Map<String, LoadedTableChecksums.Read>> loaded =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(
                Map.Entry<String, Map<String, LoadedTableChecksums.Read>> e) {
              return size() > 16;
            }
          });

  private volatile boolean readBesideRestore = false;

  BesideRestoreReads(PgTools tools) {
    this.tools = tools;
  }

  /** See {@link CopyActivitiesImpl#readBesideRestore(boolean)}. */
  void enabled(boolean value) {
    this.readBesideRestore = value;
  }

  /** Drops what an earlier restore of this dump into this target read. */
  void forget(Path dir, Endpoint target) {
    loaded.remove(loadedKey(dir, target));
  }

  /**
   * With readBesideRestore: the tables (dump id → quoted table name) whose source checksum is their
   * dump file's COPY text, to be read on the target as soon as pg_restore has loaded them, beside
   * the rest of the restore; verify then reads only the row counts of those. Full parallel restores
   * only: empty otherwise.
   */
  Map<Integer, String> readable(Path dir, Boolean dataOnly, Integer jobs) {
    return !readBesideRestore || Boolean.TRUE.equals(dataOnly) || (jobs != null && jobs < 2)
        ? Map.of()
        : copyTextTables(dir);
  }

  /** Keeps what the restore read, for the verify to come; nothing when it read nothing. */
  void keep(Path dir, Endpoint target, Map<String, LoadedTableChecksums.Read> read, int readable) {
    if (!read.isEmpty()) {
      loaded.put(loadedKey(dir, target), read);
      log.info(
          "read the content checksums of {} of {} tables beside the restore",
          read.size(),
          readable);
    }
  }

  /** What a restore read beside pg_restore, taken once; null when there is none. */
  Map<String, LoadedTableChecksums.Read> take(Path dir, Endpoint target) {
    return loaded.remove(loadedKey(dir, target));
  }

  /** What a restore read beside pg_restore, left in place (tests). */
  Map<String, LoadedTableChecksums.Read> loaded(Path dir, Endpoint target) {
    return loaded.get(loadedKey(dir, target));
  }

  private static String loadedKey(Path dir, Endpoint target) {
    return dir.toAbsolutePath().normalize() + "|" + target.describe();
  }

  /**
   * Scans the target. The tables read beside the restore ({@code before}) are counted again, and
   * each is asked whether any of its rows was written after it was read (its xmin not in the read's
   * snapshot): only such a table is read again; the others keep the checksum read beside the
   * restore.
   */
  static TableStatsResult scanned(
      TableScanner scanner,
      Function<String, TableScanner.Check> how,
      Map<String, LoadedTableChecksums.Read> before,
      TableScanner.Progress progress)
      throws SQLException {
    Map<String, String> since = new TreeMap<>();
    before.forEach((t, r) -> since.put(t, r.snapshot()));
    TableStatsResult scanned = scanner.scan(how, since, null, null, progress);
    Set<String> changed = new TreeSet<>();
    for (TableStats t : scanned.tables()) {
      if (before.containsKey(t.table()) && TableScanner.CHANGED.equals(t.checksum())) {
        changed.add(t.table());
      }
    }
    Map<String, TableStats> again = new TreeMap<>();
    if (!changed.isEmpty()) {
      log.info("{} tables changed since the restore read them, reading them again", changed);
      scanner
          .scan(t -> TableScanner.Check.COPY_TEXT, changed, null, progress)
          .tables()
          .forEach(t -> again.put(t.table(), t));
    }
    return before.isEmpty()
        ? scanned
        : new TableStatsResult(
            scanned.tables().stream()
                .map(
                    t ->
                        again.containsKey(t.table())
                            ? again.get(t.table())
                            : before.containsKey(t.table())
                                ? new TableStats(
                                    t.table(), t.rows(), before.get(t.table()).stats().checksum())
                                : t)
                .toList(),
            scanned.snapshotId(),
            true);
  }

  /**
   * The dump's TABLE DATA entries (dump id → quoted table name) of the tables whose manifest
   * checksum is a {@link CopyTextChecksum}; empty when there are none or the manifest cannot be
   * read. An entry is matched by the schema and table name {@code pg_restore --list} shows; one
   * that matches no table, or more than one, is left out (verify reads it).
   */
  private Map<Integer, String> copyTextTables(Path dir) {
    DumpManifest manifest;
    try {
      manifest = SnapshotDump.readManifest(dir);
    } catch (UncheckedIOException e) {
      return Map.of();
    }
    if (!manifest.checksums() || manifest.tables() == null) {
      return Map.of();
    }
    Map<String, String> byListName = new java.util.HashMap<>();
    Set<String> ambiguous = new TreeSet<>();
    for (TableStats t : manifest.tables()) {
      if (!CopyTextChecksum.isCopyText(t.checksum())) {
        continue;
      }
      List<String> parts = unquote(t.table());
      if (parts.size() != 2) {
        continue;
      }
      String listName = parts.get(0) + " " + parts.get(1);
      if (byListName.put(listName, t.table()) != null) {
        ambiguous.add(listName);
      }
    }
    ambiguous.forEach(byListName::remove);
    if (byListName.isEmpty()) {
      return Map.of();
    }
    Map<Integer, String> out = new java.util.HashMap<>();
    tools
        .tableDataEntries(dir)
        .forEach(
            (id, text) -> {
              int owner = text.lastIndexOf(' ');
              String table = owner < 0 ? null : byListName.get(text.substring(0, owner));
              if (table != null) {
                out.put(id, table);
              }
            });
    return out;
  }

  /** The parts of a name as {@code format('%I.%I')} writes it, unquoted. */
  static List<String> unquote(String qualified) {
    List<String> parts = new ArrayList<>();
    int i = 0;
    int n = qualified.length();
    while (i < n) {
      StringBuilder part = new StringBuilder();
      if (qualified.charAt(i) == '"') {
        i++;
        while (i < n) {
          char ch = qualified.charAt(i);
          if (ch == '"') {
            if (i + 1 < n && qualified.charAt(i + 1) == '"') {
              part.append('"');
              i += 2;
              continue;
            }
            i++;
            break;
          }
          part.append(ch);
          i++;
        }
      } else {
        while (i < n && qualified.charAt(i) != '.') {
          part.append(qualified.charAt(i++));
        }
      }
      parts.add(part.toString());
      if (i < n && qualified.charAt(i) == '.') {
        i++;
      }
    }
    return parts;
  }
}
