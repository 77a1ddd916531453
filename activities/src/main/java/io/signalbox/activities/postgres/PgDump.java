package io.signalbox.activities.postgres;

import static io.signalbox.activities.postgres.PgToolCommands.connectionArgs;
import static io.signalbox.activities.postgres.PgToolCommands.nullToEmpty;
import static io.signalbox.activities.postgres.PgToolCommands.toolFailure;

import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pg_dump} in directory format, and the dump directory it writes. Part of {@link PgTools}.
 */
final class PgDump {
  private static final Logger log = LoggerFactory.getLogger(PgTools.class);

  /** Data files of a directory-format dump: tables ({@code 3581.dat}) and large objects. */
  private static final Pattern DATA_FILE =
      Pattern.compile("(blob_)?\\d+\\.dat(\\.(gz|lz4|zst))?|blobs(_\\d+)?\\.toc");

  /**
   * Output settings pg_dump does not pin itself, given to its sessions ({@code PGOPTIONS}), so its
   * data files hold the same text a target's {@code COPY ... TO STDOUT} gives under {@link
   * SessionSettings}: timestamptz in UTC, bytea in hex. pg_dump sets {@code DateStyle = ISO},
   * {@code IntervalStyle = postgres}, {@code extra_float_digits = 3} and the database's encoding
   * itself. Neither changes what a restore loads (the same instants, the same bytes).
   */
  static final String OUTPUT_SETTINGS = "-c TimeZone=UTC -c bytea_output=hex";

  /** A TABLE DATA line of {@code pg_restore --list}: {@code 3581; 0 16385 TABLE DATA ...}. */
  private static final Pattern TABLE_DATA_ENTRY =
      Pattern.compile("^(\\d+); \\d+ (\\d+) TABLE DATA ");

  /** pg_dump --verbose, parallel: a table's data file is complete. */
  private static final Pattern TABLE_DATA_WRITTEN =
      Pattern.compile("^pg_dump: finished item (\\d+) TABLE DATA ");

  private final CommandRunner runner;
  private final PgToolLocator locator;
  private final Function<Endpoint, String> password;
  private final Duration progressEvery;

  PgDump(
      CommandRunner runner,
      PgToolLocator locator,
      Function<Endpoint, String> password,
      Duration progressEvery) {
    this.runner = runner;
    this.locator = locator;
    this.password = password;
    this.progressEvery = progressEvery;
  }

  /**
   * Runs {@code pg_dump -Fd -j N -Z level [--snapshot=ID] -f dir}. The directory must not exist, be
   * empty, or hold an earlier pg_dump attempt (removed first). Reports the bytes written so far
   * every few seconds.
   *
   * @throws io.temporal.failure.ApplicationFailure when pg_dump fails: {@code PreconditionFailed}
   *     for authentication and permission errors, {@code Transient} otherwise
   */
  DumpOutcome dump(DumpRequest request, Consumer<DumpProgress> progress) {
    return dump(request, progress, null);
  }

  /**
   * {@link #dump(DumpRequest, Consumer)}, telling {@code tableDataDone} the dump id of each TABLE
   * DATA entry as soon as pg_dump reports its data file written ({@code --verbose}, parallel dumps:
   * {@code finished item 3581 TABLE DATA ...}), so the file can be read while pg_dump goes on. It
   * is called from the thread that reads pg_dump's output and must return quickly.
   */
  DumpOutcome dump(
      DumpRequest request,
      Consumer<DumpProgress> progress,
      java.util.function.IntConsumer tableDataDone) {
    PgToolset tools = locator.locate();
    Path dir = request.dir().toAbsolutePath();
    prepareDumpDir(dir);
    List<String> argv = new ArrayList<>();
    argv.add(tools.pgDump().toString());
    argv.add("--format=directory");
    argv.add("--jobs=" + request.jobsOrDefault());
    argv.add("--compress=" + request.compressionOrDefault());
    if (request.snapshotId() != null) {
      argv.add("--snapshot=" + request.snapshotId());
    }
    argv.add("--file=" + dir);
    if (tableDataDone != null) {
      argv.add("--verbose");
    }
    argv.addAll(connectionArgs(request.source()));
    Endpoint src = request.source();
    try (PgPassFile pgpass =
        PgPassFile.create(
            src.host(), src.portOrDefault(), src.database(), src.user(), password.apply(src))) {
      CommandSpec spec =
          PgToolCommands.pgCommand(
                  argv, src, "signalbox-dump " + nullToEmpty(request.copyId()), pgpass)
              .withEnv(java.util.Map.of("PGOPTIONS", OUTPUT_SETTINGS))
              .withTimeout(request.timeoutOrDefault())
              .withProgressInterval(progressEvery);
      if (tableDataDone != null) {
        spec =
            spec.withStderrLines(
                line -> {
                  java.util.regex.Matcher m = TABLE_DATA_WRITTEN.matcher(line);
                  if (m.find()) {
                    tableDataDone.accept(Integer.parseInt(m.group(1)));
                  }
                });
      }
      CommandResult result =
          runner.run(
              spec,
              p -> {
                if (progress != null) {
                  progress.accept(new DumpProgress(dumpBytes(dir), p.elapsed().toMillis()));
                }
              });
      if (!result.succeeded()) {
        throw toolFailure("pg_dump of " + src.describe(), result);
      }
      long bytes = dumpBytes(dir);
      int files = dumpFiles(dir);
      log.info("dumped {} into {}: {} bytes in {} files", src.describe(), dir, bytes, files);
      return new DumpOutcome(
          dir,
          result.argv(),
          bytes,
          files,
          result.duration().toMillis(),
          tools.version(),
          result.stderr().tail());
    }
  }

  /**
   * pg_dump wants a missing or empty directory. One left by an earlier attempt (only pg_dump's own
   * files and a manifest) is removed; anything else is refused, so a wrong path never deletes data.
   */
  static void prepareDumpDir(Path dir) {
    try {
      if (!Files.exists(dir)) {
        Files.createDirectories(dir.getParent());
        return;
      }
      if (!Files.isDirectory(dir)) {
        throw FailureType.PRECONDITION_FAILED.failure(
            "dump directory " + dir + " exists and is not a directory");
      }
      List<Path> entries;
      try (Stream<Path> s = Files.list(dir)) {
        entries = s.toList();
      }
      List<Path> foreign =
          entries.stream().filter(p -> !isDumpFile(p.getFileName().toString())).toList();
      if (!foreign.isEmpty()) {
        throw FailureType.PRECONDITION_FAILED.failure(
            "dump directory "
                + dir
                + " holds files that pg_dump did not write (e.g. "
                + foreign.get(0).getFileName()
                + "): choose an empty or new directory");
      }
      if (!entries.isEmpty()) {
        log.warn("removing an earlier dump attempt's {} files from {}", entries.size(), dir);
        for (Path p : entries) {
          Files.delete(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare dump directory " + dir, e);
    }
  }

  private static boolean isDumpFile(String name) {
    return name.equals("toc.dat")
        || name.equals(io.signalbox.workflows.copy.DumpManifest.FILE_NAME)
        || name.startsWith(io.signalbox.workflows.copy.DumpManifest.FILE_NAME + ".")
        || DATA_FILE.matcher(name).matches();
  }

  /** Bytes of the dump's files, the manifest not included; 0 while the directory is missing. */
  static long dumpBytes(Path dir) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith("manifest.json"))
          .mapToLong(PgDump::sizeOrZero)
          .sum();
    } catch (IOException e) {
      return 0;
    }
  }

  private static int dumpFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return (int) s.count();
    } catch (IOException e) {
      return 0;
    }
  }

  private static long sizeOrZero(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      // pg_dump may rename or remove a file while we count
      return 0;
    }
  }

  /**
   * The data file of each table in a directory-format dump, by the table's oid on the source:
   * {@code pg_restore --list} names each TABLE DATA entry's dump id ({@code 3581}), whose rows are
   * in {@code 3581.dat} ({@code .dat.gz} and the like when compressed). Entries whose file is
   * missing are left out.
   */
  java.util.Map<Long, Path> tableDataFiles(Path dir) {
    java.util.Map<Long, Path> files = new java.util.HashMap<>();
    for (String line : list(dir)) {
      java.util.regex.Matcher m = TABLE_DATA_ENTRY.matcher(line);
      if (!m.find()) {
        continue;
      }
      for (String ext : new String[] {".dat", ".dat.gz", ".dat.lz4", ".dat.zst"}) {
        Path f = dir.resolve(m.group(1) + ext);
        if (Files.isRegularFile(f)) {
          files.put(Long.parseLong(m.group(2)), f);
          break;
        }
      }
    }
    return files;
  }

  /** See {@link PgTools#tableDataEntries}. */
  java.util.Map<Integer, String> tableDataEntries(Path dir) {
    java.util.Map<Integer, String> entries = new java.util.HashMap<>();
    for (String line : list(dir)) {
      java.util.regex.Matcher m = TABLE_DATA_ENTRY.matcher(line);
      if (m.find()) {
        entries.put(Integer.parseInt(m.group(1)), line.substring(m.end()));
      }
    }
    return entries;
  }

  /** The lines of {@code pg_restore --list dir}. */
  private List<String> list(Path dir) {
    PgToolset tools = locator.locate();
    List<String> lines = new ArrayList<>();
    CommandResult r =
        runner.run(
            CommandSpec.of(tools.pgRestore().toString(), "--list", dir.toString())
                .withTimeout(Duration.ofMinutes(5))
                .withStdoutLines(lines::add),
            null);
    if (!r.succeeded()) {
      throw FailureType.TRANSIENT.failure("cannot list the dump at " + dir + ": " + r.summary());
    }
    return lines;
  }
}
