package io.signalbox.activities.postgres;

import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import io.signalbox.workflows.core.FailureType;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where pg_dump and pg_restore are, and which version they are: found once, then cached. Part of
 * {@link PgTools}, which the activities use.
 */
final class PgToolLocator {
  private static final Logger log = LoggerFactory.getLogger(PgTools.class);
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");

  private final CommandRunner runner;
  private final Path configuredBinDir;
  private final Function<String, String> environment;
  private volatile PgToolset located;

  /**
   * @param runner runs {@code pg_dump --version} and {@code pg_config --bindir}
   * @param configuredBinDir {@code signalbox.pg-bin}, or null to search
   * @param environment the worker's environment ({@code PG_BIN}, {@code PATH})
   */
  PgToolLocator(CommandRunner runner, Path configuredBinDir, Function<String, String> environment) {
    this.runner = runner;
    this.configuredBinDir = configuredBinDir;
    this.environment = environment;
  }

  /**
   * Finds pg_dump and pg_restore: the configured directory, {@code $PG_BIN}, {@code pg_config
   * --bindir}, the highest {@code /usr/lib/postgresql/N/bin}, then {@code PATH}.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PreconditionFailed} when none has them
   */
  public PgToolset locate() {
    PgToolset cached = located;
    if (cached != null) {
      return cached;
    }
    // Each source is asked only when the ones before it had nothing.
    Map<String, Supplier<Optional<Path>>> sources = new LinkedHashMap<>();
    sources.put("signalbox.pg-bin", () -> Optional.ofNullable(configuredBinDir));
    sources.put(
        "PG_BIN",
        () ->
            Optional.ofNullable(environment.apply("PG_BIN"))
                .filter(v -> !v.isBlank())
                .map(Path::of));
    sources.put("pg_config", this::pgConfigBinDir);
    sources.put("/usr/lib/postgresql", PgToolLocator::highestDebianBinDir);
    sources.put("PATH", this::pathBinDir);
    List<Path> looked = new ArrayList<>();
    for (Map.Entry<String, Supplier<Optional<Path>>> source : sources.entrySet()) {
      Optional<Path> found = source.getValue().get();
      if (found.isEmpty()) {
        continue;
      }
      Path dir = found.get();
      looked.add(dir);
      if (Files.isExecutable(dir.resolve("pg_dump"))
          && Files.isExecutable(dir.resolve("pg_restore"))) {
        PgToolset tools = describe(dir, source.getKey());
        log.info("using {} from {} (found by {})", tools.version(), dir, source.getKey());
        located = tools;
        return tools;
      }
      if (source.getKey().equals("signalbox.pg-bin") || source.getKey().equals("PG_BIN")) {
        // An explicit setting that points nowhere is a mistake to report, not to search past.
        throw FailureType.PRECONDITION_FAILED.failure(
            source.getKey() + " is " + dir + " but pg_dump and pg_restore are not there");
      }
    }
    throw FailureType.PRECONDITION_FAILED.failure(
        "pg_dump and pg_restore not found (looked in "
            + looked
            + "): install the PostgreSQL client tools (e.g. postgresql-client-NN) or set"
            + " signalbox.pg-bin");
  }

  /**
   * Fails unless the tools' major version is at least the server's: an older pg_dump refuses a
   * newer server, an older pg_restore cannot read a newer dump.
   *
   * @param serverVersionNum {@code server_version_num}, e.g. 160002
   * @param server the server, for the message
   */
  public static void requireAtLeast(PgToolset tools, int serverVersionNum, String server) {
    int serverMajor = serverVersionNum / 10000;
    if (tools.major() < serverMajor) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "the PostgreSQL client tools are version "
              + tools.major()
              + " ("
              + tools.version()
              + " in "
              + tools.binDir()
              + ") but "
              + server
              + " runs PostgreSQL "
              + serverMajor
              + ": install postgresql-client-"
              + serverMajor
              + " (or newer) on the worker, or set signalbox.pg-bin to the bin directory of"
              + " client tools of version "
              + serverMajor
              + " or newer");
    }
  }

  private PgToolset describe(Path dir, String foundBy) {
    CommandResult r =
        runner.run(
            CommandSpec.of(dir.resolve("pg_dump").toString(), "--version")
                .withTimeout(Duration.ofSeconds(30)),
            null);
    String out = r.stdout().tail().strip();
    Matcher m = VERSION.matcher(out);
    if (!r.succeeded() || !m.find()) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "cannot tell the version of " + dir.resolve("pg_dump") + ": " + r.summary() + " " + out);
    }
    return new PgToolset(
        dir,
        dir.resolve("pg_dump"),
        dir.resolve("pg_restore"),
        dir.resolve("psql"),
        Integer.parseInt(m.group(1)),
        out.lines().findFirst().orElse(out),
        foundBy);
  }

  private Optional<Path> pgConfigBinDir() {
    Optional<Path> pgConfig = onPath("pg_config");
    if (pgConfig.isEmpty()) {
      return Optional.empty();
    }
    try {
      CommandResult r =
          runner.run(
              CommandSpec.of(pgConfig.get().toString(), "--bindir")
                  .withTimeout(Duration.ofSeconds(30)),
              null);
      return r.succeeded() ? Optional.of(Path.of(r.stdout().tail().strip())) : Optional.empty();
    } catch (RuntimeException e) {
      log.debug("pg_config --bindir failed: {}", e.toString());
      return Optional.empty();
    }
  }

  private static Optional<Path> highestDebianBinDir() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> d.getFileName().toString().matches("\\d+"))
          .filter(d -> Files.isExecutable(d.resolve("bin/pg_dump")))
          .max(Comparator.comparingInt(d -> Integer.parseInt(d.getFileName().toString())))
          .map(d -> d.resolve("bin"));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private Optional<Path> pathBinDir() {
    return onPath("pg_dump").map(Path::getParent);
  }

  private Optional<Path> onPath(String program) {
    String path = environment.apply("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return Optional.of(Path.of(dir, program));
      }
    }
    return Optional.empty();
  }
}
