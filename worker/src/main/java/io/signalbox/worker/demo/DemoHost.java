package io.signalbox.worker.demo;

import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine the demo servers run on: its PostgreSQL server binaries, whether the worker runs as
 * root (then the binaries run as the {@code postgres} OS user), free ports, random passwords, and
 * the directories of earlier demos that were killed.
 */
final class DemoHost {
  // The demo's logger: where these lines were logged before this class was split off.
  private static final Logger log = LoggerFactory.getLogger(DemoDatabases.class);

  /** The start of the name of every demo server's directory. */
  static final String DIR_PREFIX = "signalbox-demo-";

  private static final String OS_USER = "postgres";
  private static final SecureRandom RANDOM = new SecureRandom();

  private DemoHost() {}

  /**
   * The directory with {@code initdb} and {@code pg_ctl}: {@code $PG_BIN}, {@code pg_config
   * --bindir}, the highest {@code /usr/lib/postgresql/N/bin}.
   *
   * @throws DemoUnavailableException when none has them
   */
  static Path findBinDir(Function<String, String> environment) {
    List<String> looked = new ArrayList<>();
    String env = environment.apply("PG_BIN");
    if (env != null && !env.isBlank()) {
      Path dir = Path.of(env);
      if (hasServer(dir)) {
        return dir;
      }
      throw new DemoUnavailableException(
          "PG_BIN is " + env + " but initdb and pg_ctl are not there", List.of(env));
    }
    Optional<Path> pgConfig = pgConfigBinDir();
    if (pgConfig.isPresent()) {
      looked.add(pgConfig.get() + " (pg_config --bindir)");
      if (hasServer(pgConfig.get())) {
        return pgConfig.get();
      }
    }
    Path debian = Path.of("/usr/lib/postgresql");
    looked.add(debian + "/*/bin");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        Optional<Path> found =
            versions
                .filter(v -> v.getFileName().toString().matches("\\d+"))
                .sorted(
                    Comparator.comparingInt(
                            (Path v) -> Integer.parseInt(v.getFileName().toString()))
                        .reversed())
                .map(v -> v.resolve("bin"))
                .filter(DemoHost::hasServer)
                .findFirst();
        if (found.isPresent()) {
          return found.get();
        }
      } catch (IOException e) {
        log.debug("cannot list {}: {}", debian, e.toString());
      }
    }
    throw new DemoUnavailableException(
        "the PostgreSQL server binaries (initdb, pg_ctl) were not found", looked);
  }

  private static boolean hasServer(Path dir) {
    return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl"));
  }

  private static Optional<Path> pgConfigBinDir() {
    try {
      CommandResult r =
          new CommandRunner()
              .run(
                  CommandSpec.of("pg_config", "--bindir").withTimeout(Duration.ofSeconds(10)),
                  null);
      String out = r.stdout().tail().trim();
      return r.succeeded() && !out.isEmpty() ? Optional.of(Path.of(out)) : Optional.empty();
    } catch (RuntimeException e) {
      // No pg_config on the PATH.
      return Optional.empty();
    }
  }

  static boolean isRoot() {
    try {
      CommandResult r = new CommandRunner().run(CommandSpec.of("id", "-u"), null);
      return r.succeeded() && r.stdout().tail().trim().equals("0");
    } catch (RuntimeException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  static void chown(Path... paths) throws IOException {
    UserPrincipal owner =
        paths[0].getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
    for (Path p : paths) {
      Files.setOwner(p, owner);
    }
  }

  /** Runs a PostgreSQL binary (through {@code runuser -u postgres --} as root); fails on exit. */
  static void run(boolean root, Path dir, String... argv) {
    List<String> cmd = new ArrayList<>();
    if (root) {
      cmd.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    cmd.addAll(List.of(argv));
    CommandResult r =
        new CommandRunner()
            .run(CommandSpec.of(cmd).withWorkingDir(dir).withTimeout(Duration.ofSeconds(90)), null);
    if (!r.succeeded()) {
      String serverLog = "";
      try {
        Path logFile = dir.resolve("server.log");
        if (Files.exists(logFile)) {
          serverLog = "\nserver.log:\n" + Files.readString(logFile);
        }
      } catch (IOException e) {
        // Only for the message.
      }
      throw new IllegalStateException(
          String.join(" ", argv)
              + (r.timedOut() ? " timed out" : " exited with " + r.exitCode())
              + ": "
              + r.stdout().tail()
              + r.stderr().tail()
              + serverLog);
    }
  }

  static void stopServer(Path bin, Path dir, boolean root) {
    run(
        root,
        dir,
        bin.resolve("pg_ctl").toString(),
        "-D",
        dir.resolve("data").toString(),
        "-m",
        "fast",
        "-w",
        "stop");
  }

  /** Stops and removes the servers of demos whose process is gone (killed, not stopped). */
  static void sweepOrphans(Path tmp, Path bin, boolean root) {
    try (Stream<Path> dirs = Files.list(tmp)) {
      for (Path dir :
          dirs.filter(d -> d.getFileName().toString().startsWith(DIR_PREFIX)).toList()) {
        try {
          Path owner = dir.resolve("owner.pid");
          if (!Files.exists(owner) || alive(Files.readString(owner).trim())) {
            continue;
          }
          Path pid = dir.resolve("data").resolve("postmaster.pid");
          if (Files.exists(pid) && alive(Files.readAllLines(pid).get(0).trim())) {
            stopServer(bin, dir, root);
          }
          deleteRecursively(dir);
          log.info("Removed the demo PostgreSQL of an earlier demo that was killed: {}", dir);
        } catch (IOException | RuntimeException e) {
          log.debug("could not sweep {}: {}", dir, e.toString());
        }
      }
    } catch (IOException e) {
      log.debug("could not list {}: {}", tmp, e.toString());
    }
  }

  private static boolean alive(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  static String randomPassword() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) {
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dir, e.getMessage());
    }
  }
}
