package io.signalbox.activities.backup;

import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import io.signalbox.activities.copy.DumpRoots;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.SnapshotDump;
import io.signalbox.workflows.backup.BackupActivities.DeleteDumpRequest;
import io.signalbox.workflows.backup.BackupActivities.DeleteDumpResult;
import io.signalbox.workflows.backup.BackupActivities.DumpDirRequest;
import io.signalbox.workflows.backup.BackupActivities.DumpInfo;
import io.signalbox.workflows.backup.BackupActivities.FilesCheckRequest;
import io.signalbox.workflows.backup.BackupActivities.FilesReport;
import io.signalbox.workflows.backup.BackupActivities.InspectRequest;
import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.core.FailureType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's dump directory as a backup verification sees it: a dump inspected, its files checked
 * against their recorded digests, a fresh dump deleted, and the rule that only dumps inside the
 * directory are read or deleted ({@link #insideDumpRoots}).
 */
final class DumpDirectory {
  private static final Logger log = LoggerFactory.getLogger(DumpDirectory.class);

  /** Files pg_dump writes into a directory-format dump, and the manifest. */
  private static final Pattern DUMP_FILE =
      Pattern.compile(
          "toc\\.dat|(blob_)?\\d+\\.dat(\\.(gz|lz4|zst))?|blobs(_\\d+)?\\.toc|manifest\\.json(\\..*)?");

  /** {@code 3581; 0 16390 TABLE DATA public orders owner} in {@code pg_restore --list}. */
  private static final Pattern TABLE_DATA =
      Pattern.compile("^(\\d+); \\d+ \\d+ TABLE DATA (\\S+) (.+) \\S+$");

  private final PgTools tools;
  private final CommandRunner runner;
  private final Path dumpDir;
  private final DumpRoots roots;
  private final String hostTaskQueue;

  DumpDirectory(
      PgTools tools, CommandRunner runner, Path dumpDir, DumpRoots roots, String hostTaskQueue) {
    this.tools = tools;
    this.runner = runner;
    this.dumpDir = dumpDir.toAbsolutePath().normalize();
    this.roots = roots;
    this.hostTaskQueue = hostTaskQueue;
  }

  DumpInfo inspect(InspectRequest request) {
    String given = request == null ? null : request.path();
    if (given == null || given.isBlank()) {
      throw FailureType.INVALID_INPUT.failure("backup.path: no path given");
    }
    // The worker's dump roots decide (absolute, normalized, no link leading out); the path as the
    // input gave it stays in messages.
    Path dir = roots.resolve("backup.path", given);
    if (!Files.isRegularFile(dir.resolve(DumpManifest.FILE_NAME))) {
      throw FailureType.INVALID_INPUT.failure(
          "backup.path "
              + given
              + " is not a Signalbox dump: "
              + (Files.isDirectory(dir)
                  ? "it has no " + DumpManifest.FILE_NAME
                  : "no such directory")
              + " on this worker (give a dump directory written by PostgresCopy or"
              + " BackupVerification; with several workers the dump directory must be shared)");
    }
    DumpManifest m = manifest(dir);
    return new DumpInfo(
        dir.toString(),
        hostTaskQueue,
        m.copyId(),
        m.source() == null
            ? null
            : m.source().user()
                + "@"
                + m.source().host()
                + ":"
                + m.source().port()
                + "/"
                + m.source().database(),
        m.source() == null ? null : m.source().database(),
        m.serverVersionNum(),
        m.serverVersion(),
        m.pgDumpVersion(),
        m.snapshotTime(),
        m.tables() == null ? 0 : m.tables().size(),
        m.totalRows(),
        m.dumpBytes(),
        m.checksums(),
        m.files() != null);
  }

  void checkDumpDir(DumpDirRequest request) {
    String given = request == null ? null : request.dumpDir();
    if (given != null) {
      roots.resolve("copy.dumpDir", given);
    }
  }

  /**
   * @param tick called as files are hashed (the activity heartbeats from it); may be null
   */
  FilesReport checkFiles(FilesCheckRequest request, Runnable tick) {
    Path dir = existingDump(request == null ? null : request.dumpPath());
    DumpManifest m = manifest(dir);
    if (m.files() == null) {
      List<String> problems =
          Files.isRegularFile(dir.resolve("toc.dat"))
              ? List.of()
              : List.of("file toc.dat is missing: this is not a directory-format dump");
      return new FilesReport(
          problems.isEmpty(),
          false,
          0,
          0,
          problems,
          problems.isEmpty()
              ? "no file digests in the manifest (an older dump): the restore and the content"
                  + " checksums verify it"
              : problems.get(0));
    }
    List<DumpFiles.Problem> found = DumpFiles.problems(m.files(), dir, tick);
    long bytes = m.files().stream().mapToLong(DumpManifest.DumpFile::bytes).sum();
    if (found.isEmpty()) {
      return new FilesReport(
          true,
          true,
          m.files().size(),
          bytes,
          List.of(),
          m.files().size() + " files, " + bytes + " bytes match their recorded sizes and SHA-256");
    }
    Map<String, String> tables = tablesByFile(dir);
    List<String> problems = found.stream().map(p -> p.describe(tables)).toList();
    log.warn("dump {} is damaged: {}", dir, problems);
    return new FilesReport(
        false,
        true,
        m.files().size(),
        bytes,
        problems,
        problems.size() + " of " + m.files().size() + " files differ from the manifest");
  }

  DeleteDumpResult deleteDump(DeleteDumpRequest request) {
    String given = request == null ? null : request.dumpPath();
    if (given == null || given.isBlank()) {
      throw FailureType.INVALID_INPUT.failure("deleteDump: no dump path given");
    }
    Path dir = Path.of(given).toAbsolutePath().normalize();
    if (!insideDumpRoots(dir) || roots.roots().contains(dir) || dir.equals(dumpDir)) {
      throw FailureType.INVALID_INPUT.failure(
          "refusing to delete " + dir + ": not a dump inside the dump directory " + dumpDir);
    }
    if (!Files.exists(dir)) {
      return new DeleteDumpResult(false, 0);
    }
    try {
      List<Path> entries;
      try (Stream<Path> s = Files.list(dir)) {
        entries = s.toList();
      }
      List<Path> foreign =
          entries.stream()
              .filter(p -> !Files.isRegularFile(p) || !isDumpFile(p.getFileName().toString()))
              .toList();
      if (!foreign.isEmpty()) {
        throw FailureType.PRECONDITION_FAILED.failure(
            "refusing to delete "
                + dir
                + ": it holds "
                + foreign.get(0).getFileName()
                + ", which pg_dump did not write");
      }
      long bytes = 0;
      for (Path p : entries) {
        bytes += Files.size(p);
        Files.delete(p);
      }
      Files.delete(dir);
      // A run's dump may sit in a directory of its own (copy id / run id): remove it when empty.
      Path parent = dir.getParent();
      if (parent != null && !parent.equals(dumpDir) && insideDumpRoots(parent)) {
        try (Stream<Path> s = Files.list(parent)) {
          if (s.findAny().isEmpty()) {
            Files.delete(parent);
          }
        }
      }
      log.info("deleted dump {} ({} bytes)", dir, bytes);
      return new DeleteDumpResult(true, bytes);
    } catch (IOException e) {
      throw FailureType.TRANSIENT.failure("cannot delete " + dir + ": " + e.getMessage());
    }
  }

  /** Whether a path lies inside the worker's dump roots (symbolic links resolved). */
  boolean insideDumpRoots(Path path) {
    return roots.contains(path.toAbsolutePath().normalize());
  }

  private static boolean isDumpFile(String name) {
    return DUMP_FILE.matcher(name).matches();
  }

  /**
   * {@code 3581.dat} → {@code public.orders}, from the dump's table of contents; empty if unread.
   */
  private Map<String, String> tablesByFile(Path dir) {
    Map<String, String> tables = new HashMap<>();
    if (!Files.isRegularFile(dir.resolve("toc.dat"))) {
      return tables;
    }
    try {
      CommandResult r =
          runner.run(
              CommandSpec.of(tools.locate().pgRestore().toString(), "--list", dir.toString())
                  .withTimeout(Duration.ofMinutes(5))
                  .withStdoutLines(
                      line -> {
                        Matcher m = TABLE_DATA.matcher(line);
                        if (m.matches()) {
                          String table = m.group(2) + "." + m.group(3);
                          for (String ext : List.of("", ".gz", ".lz4", ".zst")) {
                            tables.put(m.group(1) + ".dat" + ext, table);
                          }
                        }
                      }),
              null);
      if (!r.succeeded()) {
        log.debug("cannot list the table of contents of {}: {}", dir, r.summary());
      }
    } catch (RuntimeException e) {
      log.debug("cannot list the table of contents of {}: {}", dir, e.toString());
    }
    return tables;
  }

  private DumpManifest manifest(Path dir) {
    try {
      return SnapshotDump.readManifest(dir);
    } catch (UncheckedIOException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      int nl = why.indexOf('\n');
      throw FailureType.VERIFICATION_FAILED.failure(
          "the manifest "
              + dir.resolve(DumpManifest.FILE_NAME)
              + " cannot be read: "
              + (nl > 0 ? why.substring(0, nl) : why));
    }
  }

  private Path existingDump(String dumpPath) {
    if (dumpPath == null || dumpPath.isBlank()) {
      throw FailureType.INVALID_INPUT.failure("no dump path given");
    }
    Path dir = Path.of(dumpPath).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "the dump "
              + dir
              + " is not on this worker: the dump directory must be shared, or the"
              + " work must run on the worker that holds it");
    }
    return dir;
  }
}
