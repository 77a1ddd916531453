package io.signalbox.activities.copy;

import io.signalbox.activities.postgres.CopyTextChecksum;
import io.signalbox.activities.postgres.Inspector;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgErrors;
import io.signalbox.activities.postgres.PgTools;
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
    this.tools = tools;
    this.snapshotDump = new SnapshotDump(tools);
    this.connector = connector;
    this.defaultDumpDir = defaultDumpDir;
    this.roots = roots;
    this.hostTaskQueue = hostTaskQueue;
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
            progress -> heartbeat(ctx, progress));
    DumpManifest m = outcome.manifest();
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
            progress -> heartbeat(ctx, progress));
    return new RestoreResult(
        outcome.preparation() == RestoreOutcome.RestorePreparation.CLEANED_EARLIER_ATTEMPT,
        outcome.durationMillis(),
        tools.locate().version());
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
    try {
      TableStatsResult targetStats =
          new TableScanner(
                  () -> connector.open(target),
                  request.parallelism() == null ? 2 : request.parallelism())
              .scan(
                  checkOf(manifest, checksums),
                  null,
                  null,
                  (done, total) -> heartbeat(ctx, done + "/" + total + " tables"));
      SequencesResult targetSequences;
      SchemaInventory targetInventory;
      try (Connection c = connector.open(target)) {
        targetSequences = Inspector.sequences(c);
        targetInventory = Inspector.inventory(c);
      }
      return report(manifest, targetStats, targetSequences, targetInventory, checksums);
    } catch (SQLException e) {
      throw PgErrors.failure("verify " + target.describe(), e);
    }
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
