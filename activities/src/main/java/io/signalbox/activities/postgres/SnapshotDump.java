package io.signalbox.activities.postgres;

import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.copy.SequencesResult;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.copy.TableStats;
import io.signalbox.workflows.copy.TableStatsResult;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot-consistent dump with its manifest.
 *
 * <ol>
 *   <li>One connection opens {@code REPEATABLE READ READ ONLY} and exports its snapshot ({@code
 *       pg_export_snapshot()}).
 *   <li>{@code pg_dump --snapshot=<id>} dumps exactly that snapshot while, in the same snapshot,
 *       every table is counted, sequences and the schema inventory are read: the manifest describes
 *       the dumped data, not the live tables. Meanwhile each data file pg_dump reports written is
 *       read once ({@link DumpDataChecksums}): its SHA-256, and with checksums its rows and content
 *       checksum ({@link CopyTextChecksum}), checked against the snapshot's count. A source whose
 *       files cannot give the checksums (before PostgreSQL 12, not UTF8) is checksummed on the
 *       server in the snapshot instead.
 *   <li>The exporting transaction stays open until pg_dump has finished (the snapshot dies with
 *       it), then ends; {@code manifest.json} is written into the dump directory last, so a
 *       directory with a manifest is a complete dump.
 * </ol>
 *
 * <p>Progress (bytes dumped) is reported on the calling thread every few seconds, also while the
 * counts finish after pg_dump, so an activity can heartbeat from it.
 */
public final class SnapshotDump {
  private static final Logger log = LoggerFactory.getLogger(SnapshotDump.class);

  private final PgTools tools;
  private final Duration progressEvery;
  private Consumer<String> afterExport = id -> {};

  /**
   * @param tools locates and runs pg_dump, resolves passwords
   */
  public SnapshotDump(PgTools tools) {
    this(tools, Duration.ofSeconds(5));
  }

  SnapshotDump(PgTools tools, Duration progressEvery) {
    this.tools = tools;
    this.progressEvery = progressEvery;
  }

  /** Runs between the export and pg_dump's start (tests write to the source there). */
  SnapshotDump afterExport(Consumer<String> hook) {
    this.afterExport = hook;
    return this;
  }

  /**
   * The manifest and what pg_dump did.
   *
   * @param manifest the manifest as written
   * @param manifestFile where it was written
   * @param dump pg_dump's outcome
   */
  public record Outcome(DumpManifest manifest, Path manifestFile, DumpOutcome dump) {}

  /**
   * Dumps the source as of one exported snapshot and writes {@code manifest.json}.
   *
   * @param request what to dump where ({@code snapshotId} is ignored: a fresh one is exported)
   * @param checksums also checksum every table in the snapshot (reads every row)
   * @param progress told the bytes dumped so far; may throw to cancel (kills pg_dump)
   */
  public Outcome run(DumpRequest request, boolean checksums, Consumer<DumpProgress> progress) {
    Endpoint src = request.source();
    PgToolset toolset = tools.locate();
    ExecutorService survey =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "snapshot-survey");
              t.setDaemon(true);
              return t;
            });
    Connection c = tools.connect(src, "signalbox-snapshot " + nullToEmpty(request.copyId()));
    boolean done = false;
    DumpDataChecksums files = null;
    java.util.function.IntConsumer written = null;
    try {
      ServerDescription server = Inspector.describe(c, src.describe());
      PgTools.requireAtLeast(toolset, server.versionNum(), src.describe());

      // No server-side timeout may end the exporting transaction while pg_dump needs it.
      SessionSettings.apply(c);
      c.setAutoCommit(false);
      String snapshotId;
      String snapshotTime;
      try (Statement st = c.createStatement()) {
        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        try (ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.pg_export_snapshot(), pg_catalog.clock_timestamp()")) {
          rs.next();
          snapshotId = rs.getString(1);
          snapshotTime = rs.getObject(2, OffsetDateTime.class).toInstant().toString();
        }
      } catch (SQLException e) {
        if ("25006".equals(e.getSQLState()) || "0A000".equals(e.getSQLState())) {
          throw FailureType.PRECONDITION_FAILED.failure(
              "cannot export a snapshot on " + src.describe() + ": " + e.getMessage());
        }
        throw e;
      }
      log.info("exported snapshot {} of {} at {}", snapshotId, src.describe(), snapshotTime);
      afterExport.accept(snapshotId);

      // The survey reads on the exporting connection, in its transaction, while pg_dump runs in
      // the same snapshot; nothing else touches the connection until it is done.
      // Counts and checksums run over jobs connections that import the snapshot (TableScanner),
      // so they finish about when pg_dump does; measured 3-15% faster than one connection.
      String exported = snapshotId;
      // Content checksums from the dump's data files (see DumpDataChecksums) where their COPY text
      // is what a target gives under SessionSettings: UTF8 (the JDBC driver reads UTF8) and
      // PostgreSQL 12 or later (shortest exact float output on both sides). Otherwise the survey
      // checksums every table on the server, as before.
      boolean fromFiles =
          checksums && server.versionNum() >= 120000 && "UTF8".equals(server.encoding());
      CompletableFuture<Survey> surveyed =
          CompletableFuture.supplyAsync(
              () ->
                  survey(
                      c,
                      new TableScanner(
                          () ->
                              tools.connect(
                                  src, "signalbox-survey " + nullToEmpty(request.copyId())),
                          request.jobsOrDefault()),
                      exported,
                      checksums && !fromFiles),
              survey);
      DumpOutcome dump;
      {
        // Each data file is read (digest; rows and checksum too for file checksums) as soon as
        // pg_dump has written it, beside the rest of the dump.
        Path dir = request.dir().toAbsolutePath();
        files = new DumpDataChecksums(request.jobsOrDefault(), fromFiles);
        DumpDataChecksums reader = files;
        written =
            dumpId -> {
              for (String ext : new String[] {".dat", ".dat.gz"}) {
                Path f = dir.resolve(dumpId + ext);
                if (Files.isRegularFile(f)) {
                  reader.written(f);
                  return;
                }
              }
            };
      }
      try {
        dump = tools.dump(request.withSnapshot(snapshotId), progress, written);
      } catch (RuntimeException | Error e) {
        surveyed.cancel(true);
        throw e;
      }
      Survey s = awaitSurvey(surveyed, dump, progress);
      Runnable tick =
          progress == null
              ? null
              : () -> progress.accept(new DumpProgress(dump.bytes(), dump.durationMillis()));
      List<TableStats> tables = s.tables();
      List<DumpManifest.DumpFile> digests;
      if (fromFiles) {
        FileChecksums fc = fileChecksums(c, src, request, dump, tables, snapshotId, files, tick);
        tables = fc.tables();
        digests = fc.files();
      } else {
        digests = files.finish(dump.dir(), Map.of(), progressEvery.toMillis(), tick).files();
      }
      c.commit();

      DumpManifest manifest =
          new DumpManifest(
              DumpManifest.FORMAT_VERSION,
              request.copyId(),
              new DumpManifest.Source(src.host(), src.portOrDefault(), src.database(), src.user()),
              server.versionNum(),
              server.version(),
              toolset.version(),
              snapshotId,
              snapshotTime,
              "directory",
              request.jobsOrDefault(),
              request.compressionOrDefault(),
              tables,
              checksums,
              s.sequences().sequences(),
              s.inventory(),
              server.sizeBytes(),
              dump.bytes(),
              dump.durationMillis(),
              Instant.now().toString());
      // Each file's size and SHA-256, so a damaged backup is named before a restore is tried.
      manifest = manifest.withFiles(digests);
      Path file = writeManifest(dump.dir(), manifest);
      done = true;
      log.info(
          "dump of {} complete: {} tables, {} rows, {} bytes, manifest {}",
          src.describe(),
          manifest.tables().size(),
          manifest.totalRows(),
          dump.bytes(),
          file);
      return new Outcome(manifest, file, dump);
    } catch (SQLException e) {
      throw FailureType.TRANSIENT.failure(
          "snapshot dump of " + src.describe() + " failed: " + e.getMessage());
    } finally {
      survey.shutdownNow();
      if (files != null) {
        files.close();
      }
      if (!done) {
        // abort() closes the socket even while the survey thread is inside a query.
        try {
          c.abort(Runnable::run);
        } catch (SQLException e) {
          log.debug("abort failed: {}", e.getMessage());
        }
      } else {
        try {
          c.close();
        } catch (SQLException e) {
          log.debug("close failed: {}", e.getMessage());
        }
      }
    }
  }

  private record FileChecksums(List<TableStats> tables, List<DumpManifest.DumpFile> files) {}

  /**
   * Reads the dump's files once (digests, and each table's rows and COPY text checksum) and puts
   * the checksums into the tables' stats. The counts stay those of SQL in the snapshot, an
   * independent check of the files: a data file with another number of rows fails the dump. A table
   * whose file cannot be checksummed (compressed other than gzip, not found) is checksummed on the
   * server in the snapshot, which is still open.
   */
  private FileChecksums fileChecksums(
      Connection c,
      Endpoint src,
      DumpRequest request,
      DumpOutcome dump,
      List<TableStats> tables,
      String snapshotId,
      DumpDataChecksums files,
      Runnable tick)
      throws SQLException {
    long t0 = System.nanoTime();
    Map<Long, Path> byOid = tools.tableDataFiles(dump.dir());
    Map<String, Path> dataFiles = new HashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT c.oid, pg_catalog.format('%I.%I', n.nspname, c.relname)"
                    + " FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind = 'r'")) {
      while (rs.next()) {
        Path f = byOid.get(rs.getLong(1));
        if (f != null) {
          dataFiles.put(rs.getString(2), f);
        }
      }
    }
    DumpDataChecksums.Result read =
        files.finish(dump.dir(), dataFiles, progressEvery.toMillis(), tick);
    List<TableStats> out = new ArrayList<>();
    Set<String> onServer = new TreeSet<>();
    for (TableStats t : tables) {
      DumpDataChecksums.Table f = read.tables().get(t.table());
      if (f == null) {
        onServer.add(t.table());
        continue;
      }
      if (f.rows() != t.rows()) {
        throw FailureType.TRANSIENT.failure(
            "the dump's data file "
                + f.file()
                + " of "
                + t.table()
                + " holds "
                + f.rows()
                + " rows, but the snapshot has "
                + t.rows()
                + ": the dump is not what was exported; dump again");
      }
      out.add(new TableStats(t.table(), t.rows(), f.checksum()));
    }
    if (!onServer.isEmpty()) {
      log.info("{} tables have no readable data file, checksummed on the server", onServer.size());
      TableStatsResult server =
          new TableScanner(
                  () -> tools.connect(src, "signalbox-survey " + nullToEmpty(request.copyId())),
                  request.jobsOrDefault())
              .scan(t -> TableScanner.Check.SQL_CHECKSUM, onServer, snapshotId, (d, n) -> {});
      out.addAll(server.tables());
    }
    out.sort(Comparator.comparing(TableStats::table));
    log.info(
        "checksummed {} tables from the dump's data files, {} ms after pg_dump ended",
        read.tables().size(),
        (System.nanoTime() - t0) / 1_000_000);
    return new FileChecksums(List.copyOf(out), read.files());
  }

  /** Reads a dump directory's manifest. */
  public static DumpManifest readManifest(Path dumpDir) {
    try {
      return Json.mapper()
          .readValue(dumpDir.resolve(DumpManifest.FILE_NAME).toFile(), DumpManifest.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the manifest of " + dumpDir, e);
    }
  }

  private record Survey(
      List<TableStats> tables, SequencesResult sequences, SchemaInventory inventory) {}

  private static Survey survey(
      Connection c, TableScanner scanner, String snapshotId, boolean checksums) {
    try {
      long t0 = System.nanoTime();
      List<TableStats> tables = scanner.scan(checksums, snapshotId, (done, total) -> {}).tables();
      SequencesResult sequences = Inspector.sequences(c);
      SchemaInventory inventory = Inspector.inventory(c);
      log.info(
          "surveyed {} tables in the snapshot in {} ms",
          tables.size(),
          (System.nanoTime() - t0) / 1_000_000);
      return new Survey(tables, sequences, inventory);
    } catch (SQLException e) {
      throw new IllegalStateException("survey in the snapshot failed: " + e.getMessage(), e);
    }
  }

  /** Waits for the survey, still reporting progress so the activity keeps heartbeating. */
  private Survey awaitSurvey(
      CompletableFuture<Survey> surveyed, DumpOutcome dump, Consumer<DumpProgress> progress)
      throws SQLException {
    while (true) {
      try {
        return surveyed.get(progressEvery.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (progress != null) {
          progress.accept(new DumpProgress(dump.bytes(), dump.durationMillis()));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while counting in the snapshot", e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IllegalStateException ise
            && ise.getCause() instanceof SQLException sql) {
          throw sql;
        }
        throw new IllegalStateException(e.getCause());
      }
    }
  }

  /** Written to a temporary name and moved into place: a manifest is either whole or absent. */
  private static Path writeManifest(Path dir, DumpManifest manifest) {
    Path file = dir.resolve(DumpManifest.FILE_NAME);
    Path tmp = dir.resolve(DumpManifest.FILE_NAME + ".tmp");
    try {
      Json.mapper().writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), manifest);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
