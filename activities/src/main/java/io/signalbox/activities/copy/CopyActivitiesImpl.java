package io.signalbox.activities.copy;

import io.signalbox.activities.copy.progress.CopyMeters;
import io.signalbox.activities.copy.progress.DumpMeter;
import io.signalbox.activities.copy.progress.RestoreMeter;
import io.signalbox.activities.copy.progress.VerifyMeter;
import io.signalbox.activities.evidence.ReportStore;
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
import java.util.Map;
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
  private final BesideRestoreReads besideRestore;

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
    this.besideRestore = new BesideRestoreReads(tools);
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
    besideRestore.forget(dir, request.target());
    Map<Integer, String> readable = besideRestore.readable(dir, request.dataOnly(), request.jobs());
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
        if (outcome.preparation() != RestoreOutcome.RestorePreparation.ALREADY_RESTORED) {
          besideRestore.keep(dir, request.target(), read, readable.size());
        }
      }
      return new RestoreResult(
          outcome.preparation() == RestoreOutcome.RestorePreparation.CLEANED_EARLIER_ATTEMPT,
          outcome.durationMillis(),
          tools.locate().version());
    }
  }

  /** What a restore read beside pg_restore for the verify to come (tests). */
  Map<String, LoadedTableChecksums.Read> loadedChecksums(String dumpPath, Endpoint target) {
    return besideRestore.loaded(roots.resolve("dumpPath", dumpPath), target);
  }

  /**
   * Whether the restore reads each table's content checksum as soon as pg_restore has loaded it,
   * beside the rest of the restore, or leaves every table to the verify (the default). Off by
   * default: measured on 2 shared CPUs it saved nothing ({@code docs/benchmarks.md}), and a read
   * holds ACCESS SHARE on its table just when pg_restore starts that table's primary key (ALTER
   * TABLE ... ADD CONSTRAINT wants ACCESS EXCLUSIVE), so the key waits for the read. Kept for
   * measurements (the benchmark's what-if).
   */
  public CopyActivitiesImpl readBesideRestore(boolean value) {
    besideRestore.enabled(value);
    return this;
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
          checksums ? besideRestore.take(dir, target) : null;
      Map<String, LoadedTableChecksums.Read> before = read == null ? Map.of() : read;
      java.util.function.Function<String, TableScanner.Check> how =
          VerificationComparison.checkOf(manifest, checksums);
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
      TableStatsResult targetStats =
          BesideRestoreReads.scanned(
              scanner,
              t -> before.containsKey(t) ? TableScanner.Check.COUNT : how.apply(t),
              before,
              progress);
      SequencesResult targetSequences;
      SchemaInventory targetInventory;
      try (Connection c = connector.open(target)) {
        targetSequences = Inspector.sequences(c);
        targetInventory = Inspector.inventory(c);
      }
      return kept(
          VerificationComparison.report(
              manifest, targetStats, targetSequences, targetInventory, checksums),
          ctx);
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
