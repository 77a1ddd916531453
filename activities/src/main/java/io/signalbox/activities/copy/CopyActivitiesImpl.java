package io.signalbox.activities.copy;

import io.signalbox.activities.copy.progress.CopyMeters;
import io.signalbox.activities.copy.progress.DumpMeter;
import io.signalbox.activities.copy.progress.RestoreMeter;
import io.signalbox.activities.copy.progress.VerifyMeter;
import io.signalbox.activities.evidence.ReportStore;
import io.signalbox.activities.postgres.CopyTextChecksum;
import io.signalbox.activities.postgres.Inspector;
import io.signalbox.activities.postgres.LoadedTableChecksums;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgErrors;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.RestoreLines;
import io.signalbox.activities.postgres.RestoreOutcome;
import io.signalbox.activities.postgres.SnapshotDump;
import io.signalbox.activities.postgres.TableScanner;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.copy.SequencesResult;
import io.signalbox.workflows.copy.TableStats;
import io.signalbox.workflows.copy.TableStatsResult;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.StoredReport;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dump, restore and verify of one copy, on the worker that holds the dump. Heartbeats the progress
 * that the pg tools and the table scanner report; a cancelled activity's heartbeat throws, which
 * kills the child process or cancels the queries.
 */
public class CopyActivitiesImpl implements CopyActivities {
  private static final Logger log = LoggerFactory.getLogger(CopyActivitiesImpl.class);

  private final SnapshotDump snapshotDump;
  private final PgTools tools;
  private final PgConnector connector;
  private final Path defaultDumpDir;
  private final DumpRoots roots;
  private final String hostTaskQueue;
  private final ReportStore reports;
  private final CopyMeters meters;

  /** A dump key: a run id (a UUID), optionally with a suffix such as {@code -redo-1}. */
  private static final Pattern DUMP_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  /**
   * A worker whose only dump root is its default dump directory.
   *
   * @see #CopyActivitiesImpl(PgTools, PgConnector, Path, DumpRoots, String)
   */
  public CopyActivitiesImpl(
      PgTools tools, PgConnector connector, Path defaultDumpDir, String hostTaskQueue) {
    this(tools, connector, defaultDumpDir, DumpRoots.of(defaultDumpDir), hostTaskQueue);
  }

  /**
   * @param tools runs pg_dump / pg_restore
   * @param connector opens JDBC connections with resolved passwords
   * @param defaultDumpDir where dumps go when the input names no directory (absolute)
   * @param roots the directories an input's {@code copy.dumpDir} may name (or lie under)
   * @param hostTaskQueue this worker's own task queue (restore and verify of its dumps are sent
   *     there), or null when the dump directory is shared by all workers
   * @throws IllegalArgumentException when the default dump directory is not inside the roots
   */
  public CopyActivitiesImpl(
      PgTools tools,
      PgConnector connector,
      Path defaultDumpDir,
      DumpRoots roots,
      String hostTaskQueue) {
    this(tools, connector, defaultDumpDir, roots, hostTaskQueue, null);
  }

  /**
   * @param reports where {@link #verify} keeps its whole report (every table) and returns a bounded
   *     one with the reference (STYLE.md 26); null to return the whole report (called directly, as
   *     benchmarks and tests do)
   * @see #CopyActivitiesImpl(PgTools, PgConnector, Path, DumpRoots, String)
   */
  public CopyActivitiesImpl(
      PgTools tools,
      PgConnector connector,
      Path defaultDumpDir,
      DumpRoots roots,
      String hostTaskQueue,
      ReportStore reports) {
    this.reports = reports;
    this.tools = tools;
    this.snapshotDump = new SnapshotDump(tools);
    this.connector = connector;
    this.defaultDumpDir = defaultDumpDir;
    this.roots = roots;
    this.hostTaskQueue = hostTaskQueue;
    this.meters = new CopyMeters(connector, System::nanoTime);
    if (!roots.contains(defaultDumpDir)) {
      throw new IllegalArgumentException(
          "the dump directory "
              + defaultDumpDir
              + " (signalbox.dump-dir) is not inside the dump roots "
              + roots.roots()
              + " (signalbox.dump-roots)");
    }
  }

  @Override
  public ToolsReport checkTools(CheckToolsRequest request) {
    require(request != null && request.servers() != null, "checkTools: no servers given");
    io.signalbox.activities.postgres.PgToolset toolset = tools.locate();
    for (ServerVersion server : request.servers()) {
      PgTools.requireAtLeast(toolset, server.versionNum(), server.endpoint());
    }
    return new ToolsReport(toolset.version(), String.valueOf(toolset.binDir()));
  }

  @Override
  public DumpResult dump(DumpRequest request) {
    require(request != null && request.source() != null, "dump: no source given");
    require(request.copyId() != null && !request.copyId().isBlank(), "dump: no copyId given");
    Path dir = dumpDirectory(request);
    try {
      Files.createDirectories(dir.getParent());
    } catch (java.io.IOException e) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "cannot create the dump directory " + dir.getParent() + ": " + e.getMessage());
    }
    ActivityExecutionContext ctx = context();
    DumpMeter meter =
        meters.dump(
            request.source(),
            dir,
            request.jobs() == null ? 2 : request.jobs(),
            request.compression() == null ? 0 : request.compression());
    heartbeat(ctx, meter.started());
    SnapshotDump.Outcome outcome =
        snapshotDump.run(
            new io.signalbox.activities.postgres.DumpRequest(
                request.source(),
                dir,
                request.jobs(),
                request.compression(),
                null,
                request.copyId(),
                null),
            Boolean.TRUE.equals(request.checksums()),
            progress -> heartbeat(ctx, meter.dumped(progress.bytes(), progress.elapsedMillis())));
    DumpManifest m = outcome.manifest();
    heartbeat(ctx, meter.finished(m.dumpBytes()));
    log.info(
        "dumped {} into {}: {} tables, {} rows, {} bytes",
        request.source().describe(),
        dir,
        m.tables().size(),
        m.totalRows(),
        m.dumpBytes());
    return new DumpResult(
        dir.toString(),
        hostTaskQueue,
        m.snapshotId(),
        m.snapshotTime(),
        m.tables().size(),
        m.totalRows(),
        m.dumpBytes(),
        m.serverVersion(),
        m.pgDumpVersion(),
        m.dumpMillis());
  }

  @Override
  public RestoreResult restore(CopyActivities.RestoreRequest request) {
    require(request != null && request.target() != null, "restore: no target given");
    Path dir = existingDump(request.dumpPath());
    ActivityExecutionContext ctx = context();
    String key = loadedKey(dir, request.target());
    loaded.remove(key);
    // With readBesideRestore: tables whose source checksum is their dump file's COPY text are
    // read on the target as soon as pg_restore has loaded them, beside the rest of the restore;
    // verify then reads only the row counts of those. Full parallel restores only.
    Map<Integer, String> readable =
        !readBesideRestore
                || Boolean.TRUE.equals(request.dataOnly())
                || (request.jobs() != null && request.jobs() < 2)
            ? Map.of()
            : copyTextTables(dir);
    int jobs = request.jobs() == null ? 2 : request.jobs();
    // pg_restore prints each table's end only in parallel, and a data-only restore runs serially.
    try (RestoreMeter meter =
            meters.restore(
                dir, jobs > 1 && !Boolean.TRUE.equals(request.dataOnly()), request.target());
        LoadedTableChecksums reader =
            readable.isEmpty()
                ? null
                : new LoadedTableChecksums(() -> connector.open(request.target()), jobs)) {
      RestoreOutcome outcome =
          tools.restore(
              new io.signalbox.activities.postgres.RestoreRequest(
                  request.target(),
                  dir,
                  request.jobs(),
                  request.noOwner(),
                  null,
                  request.copyId(),
                  null,
                  request.dataOnly(),
                  request.replaceTables(),
                  request.replacesCopyId(),
                  request.resetTarget()),
              progress -> heartbeat(ctx, meter.progress()),
              new RestoreLines() {
                @Override
                public void tocLine(String line) {
                  meter.tocLine(line);
                }

                @Override
                public void outputLine(String line) {
                  meter.outputLine(line);
                }
              },
              reader == null
                  ? null
                  : dumpId -> {
                    String table = readable.get(dumpId);
                    if (table != null) {
                      reader.loaded(table);
                    }
                  });
      heartbeat(ctx, meter.finished());
      if (reader != null) {
        Map<String, LoadedTableChecksums.Read> read =
            reader.finish(5000, () -> heartbeat(ctx, meter.progress()));
        if (outcome.preparation() != RestoreOutcome.RestorePreparation.ALREADY_RESTORED
            && !read.isEmpty()) {
          loaded.put(key, read);
          log.info(
              "read the content checksums of {} of {} tables beside the restore",
              read.size(),
              readable.size());
        }
      }
      return new RestoreResult(
          outcome.preparation() == RestoreOutcome.RestorePreparation.CLEANED_EARLIER_ATTEMPT,
          outcome.durationMillis(),
          tools.locate().version());
    }
  }

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

  /** What a restore read beside pg_restore for the verify to come (tests). */
  Map<String, LoadedTableChecksums.Read> loadedChecksums(String dumpPath, Endpoint target) {
    return loaded.get(loadedKey(roots.resolve("dumpPath", dumpPath), target));
  }

  private volatile boolean readBesideRestore = false;

  /**
   * Whether the restore reads each table's content checksum as soon as pg_restore has loaded it,
   * beside the rest of the restore, or leaves every table to the verify (the default). Off by
   * default: measured on 2 shared CPUs it saved nothing ({@code docs/benchmarks.md}), and a read
   * holds ACCESS SHARE on its table just when pg_restore starts that table's primary key (ALTER
   * TABLE ... ADD CONSTRAINT wants ACCESS EXCLUSIVE), so the key waits for the read. Kept for
   * measurements (the benchmark's what-if).
   */
  public CopyActivitiesImpl readBesideRestore(boolean value) {
    this.readBesideRestore = value;
    return this;
  }

  private static String loadedKey(Path dir, Endpoint target) {
    return dir.toAbsolutePath().normalize() + "|" + target.describe();
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

  @Override
  public VerificationReport verify(VerifyRequest request) {
    require(request != null && request.target() != null, "verify: no target given");
    Path dir = existingDump(request.dumpPath());
    DumpManifest manifest;
    try {
      manifest = SnapshotDump.readManifest(dir);
    } catch (UncheckedIOException e) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "the dump " + dir + " has no readable manifest.json: " + e.getMessage());
    }
    boolean checksums = Boolean.TRUE.equals(request.checksums()) && manifest.checksums();
    Endpoint target = request.target();
    ActivityExecutionContext ctx = context();
    VerifyMeter meter = meters.verify(target, checksums);
    try {
      // Content checksums the restore read beside pg_restore, taken once. Those tables are
      // counted again here, and each is asked whether any of its rows was written after it was
      // read (its xmin not in the read's snapshot): only such a table is read again.
      Map<String, LoadedTableChecksums.Read> read =
          checksums ? loaded.remove(loadedKey(dir, target)) : null;
      Map<String, LoadedTableChecksums.Read> before = read == null ? Map.of() : read;
      Map<String, String> since = new TreeMap<>();
      before.forEach((t, r) -> since.put(t, r.snapshot()));
      java.util.function.Function<String, TableScanner.Check> how = checkOf(manifest, checksums);
      TableScanner scanner =
          new TableScanner(
              () -> connector.open(target),
              request.parallelism() == null ? 2 : request.parallelism());
      TableScanner.Progress progress =
          new TableScanner.Progress() {
            @Override
            public void report(int done, int total) {
              heartbeat(ctx, meter.progress(done, total));
            }

            @Override
            public void tableDone(String table) {
              meter.tableDone(table);
            }
          };
      TableStatsResult scanned =
          scanner.scan(
              t -> before.containsKey(t) ? TableScanner.Check.COUNT : how.apply(t),
              since,
              null,
              null,
              progress);
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
      TableStatsResult targetStats =
          before.isEmpty()
              ? scanned
              : new TableStatsResult(
                  scanned.tables().stream()
                      .map(
                          t ->
                              again.containsKey(t.table())
                                  ? again.get(t.table())
                                  : before.containsKey(t.table())
                                      ? new TableStats(
                                          t.table(),
                                          t.rows(),
                                          before.get(t.table()).stats().checksum())
                                      : t)
                      .toList(),
                  scanned.snapshotId(),
                  true);
      SequencesResult targetSequences;
      SchemaInventory targetInventory;
      try (Connection c = connector.open(target)) {
        targetSequences = Inspector.sequences(c);
        targetInventory = Inspector.inventory(c);
      }
      return kept(report(manifest, targetStats, targetSequences, targetInventory, checksums), ctx);
    } catch (SQLException e) {
      throw PgErrors.failure("verify " + target.describe(), e);
    }
  }

  /**
   * The whole report goes to the evidence store, keyed by this activity's run and id; the workflow
   * gets the bounded report with the reference and digest, so a database with thousands of tables
   * stays far from Temporal's payload and history limits. Outside an activity, or without a store,
   * the whole report.
   */
  private VerificationReport kept(VerificationReport whole, ActivityExecutionContext ctx) {
    if (reports == null || ctx == null) {
      return whole;
    }
    var info = ctx.getInfo();
    StoredReport ref =
        reports.put(
            info.getWorkflowId(),
            info.getRunId(),
            "verify-" + info.getActivityId(),
            Json.tree(whole));
    return whole.bounded(VerificationReport.SUMMARY_ITEMS, ref);
  }

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

  /**
   * {@code <dumpDir>/<copyId>/<dumpKey>}: each run dumps into its own directory, so a run that
   * reuses a workflow id (and so a copy id) never replaces the kept dump of an earlier run; a retry
   * of the same run (same key) replaces its own incomplete attempt. Without a key (requests
   * recorded before it existed) the dump goes to {@code <dumpDir>/<copyId>} as it did then.
   */
  private Path dumpDirectory(CopyActivities.DumpRequest request) {
    Path base =
        request.dumpDir() == null
            ? roots.resolve("copy.dumpDir", defaultDumpDir)
            : roots.resolve("copy.dumpDir", request.dumpDir());
    Path dir = base.resolve(segment(safeName(request.copyId())));
    if (request.dumpKey() != null) {
      if (!DUMP_KEY.matcher(request.dumpKey()).matches()) {
        throw FailureType.INVALID_INPUT.failure(
            "dump: dumpKey must be one path segment of letters, digits, '.', '_' and '-' (at"
                + " most 128, starting with a letter or digit), e.g. the run id");
      }
      dir = dir.resolve(segment(request.dumpKey()));
    }
    // Again with the copy and key directories: a link planted there must not lead out either.
    return roots.resolve("copy.dumpDir", dir);
  }

  /** Asserts a name is exactly one path segment that is neither "." nor "..". */
  private static Path segment(String name) {
    Path p = Path.of(name);
    if (p.getNameCount() != 1 || p.isAbsolute() || name.equals(".") || name.equals("..")) {
      throw new IllegalStateException("not a single safe path segment: " + name);
    }
    return p;
  }

  /**
   * A copy id becomes a directory name: anything but letters, digits, dot, dash and underscore is
   * replaced, so a workflow id can never leave the dump directory.
   */
  static String safeName(String copyId) {
    String s = copyId.replaceAll("[^A-Za-z0-9._-]", "_");
    if (s.isEmpty() || s.chars().allMatch(ch -> ch == '.')) {
      s = "_" + s;
    }
    return s.length() > 200 ? s.substring(0, 200) : s;
  }

  private Path existingDump(String dumpPath) {
    require(dumpPath != null && !dumpPath.isBlank(), "no dump path given");
    Path dir = roots.resolve("dumpPath", dumpPath);
    if (!Files.isDirectory(dir)) {
      // Not retryable: a retry on this worker will not find it either; the workflow routes
      // restore and verify to the worker that wrote the dump.
      throw FailureType.PRECONDITION_FAILED.failure(
          "the dump "
              + dir
              + " is not on this worker: dump and restore must run on the same worker, or the"
              + " dump directory must be shared");
    }
    return dir;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw FailureType.INVALID_INPUT.failure(message);
    }
  }

  private static ActivityExecutionContext context() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException e) {
      return null; // called directly (benchmark, tests): no heartbeats
    }
  }

  private static void heartbeat(ActivityExecutionContext ctx, Object progress) {
    if (ctx != null) {
      ctx.heartbeat(progress);
    }
  }
}
