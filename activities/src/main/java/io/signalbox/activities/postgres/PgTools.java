package io.signalbox.activities.postgres;

import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import io.signalbox.activities.postgres.RestoreOutcome.RestorePreparation;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.SecretRef;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's own tools, run through {@link CommandRunner}: {@code pg_dump} in directory format
 * with N jobs, {@code pg_restore} with N jobs, the tools located and their version checked against
 * the server's.
 *
 * <p>Passwords are resolved here, on the worker, and reach the tools only through a temporary
 * pgpass file ({@code PGPASSFILE}, mode 0600, deleted afterwards): never argv, never a log line.
 * Progress callbacks run on the calling thread, so they may heartbeat; whatever they throw (a
 * cancelled activity) kills the tool and propagates.
 */
public class PgTools {
  private static final Logger log = LoggerFactory.getLogger(PgTools.class);
  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");

  /** Data files of a directory-format dump: tables ({@code 3581.dat}) and large objects. */
  private static final Pattern DATA_FILE =
      Pattern.compile("(blob_)?\\d+\\.dat(\\.(gz|lz4|zst))?|blobs(_\\d+)?\\.toc");

  // With -j > 1 pg_restore reports both the start and the end of each table; alone only the start.
  // Its processes share one unbuffered stderr and write a message in pieces, so lines can come
  // interleaved: these counts drive heartbeats only, never the outcome.
  private static final Pattern TABLE_DATA_FINISHED =
      Pattern.compile("finished item \\d+ TABLE DATA ");
  private static final Pattern TABLE_DATA_STARTED = Pattern.compile("processing data for table ");
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

  /**
   * What a pg tool takes from the worker's environment beyond {@link CommandRunner#BASE_ENV}: the
   * TLS files an operator configured for the worker (paths, not secrets). Never {@code PGPASSWORD},
   * {@code PGHOST} and the like: every connection setting comes from the endpoint.
   */
  static final Set<String> PG_TLS_ENV =
      Set.of("PGSSLROOTCERT", "PGSSLCRL", "PGSSLCRLDIR", "PGSSLCERT", "PGSSLKEY");

  private final CommandRunner runner;
  private final Path configuredBinDir;
  private final Function<SecretRef, String> secrets;
  private final PgConnector connector;
  private final Function<String, String> environment;
  private final Duration progressEvery;
  private volatile PgToolset located;

  /**
   * @param runner runs the tools
   * @param configuredBinDir {@code signalbox.pg-bin}, or null to search
   * @param secrets resolves password references (e.g. {@code SecretResolver::resolve})
   */
  public PgTools(CommandRunner runner, Path configuredBinDir, Function<SecretRef, String> secrets) {
    this(runner, configuredBinDir, secrets, System::getenv, PROGRESS_EVERY);
  }

  PgTools(
      CommandRunner runner,
      Path configuredBinDir,
      Function<SecretRef, String> secrets,
      Function<String, String> environment,
      Duration progressEvery) {
    this.runner = runner;
    this.configuredBinDir = configuredBinDir;
    this.secrets = secrets;
    this.connector = new PgConnector(secrets);
    this.environment = environment;
    this.progressEvery = progressEvery;
  }

  // ---------------------------------------------------------------- locating the tools

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
    sources.put("/usr/lib/postgresql", PgTools::highestDebianBinDir);
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

  // ---------------------------------------------------------------- connections

  /** Resolves the endpoint's password reference (null when it has none). */
  String password(Endpoint endpoint) {
    return endpoint.password() == null ? null : secrets.apply(endpoint.password());
  }

  /**
   * A JDBC connection to the endpoint with its resolved password.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PreconditionFailed} for a wrong password
   *     or a missing database, {@code Transient} when the server cannot be reached
   */
  Connection connect(Endpoint endpoint, String applicationName) {
    try {
      return connector.open(endpoint, endpoint.database(), applicationName);
    } catch (SQLException e) {
      throw PgErrors.failure("cannot connect to " + endpoint.describe(), e);
    }
  }

  static int serverVersionNum(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1));
    }
  }

  /**
   * libpq settings for a tool: host, port and user in argv (no secrets there), the database as a
   * conninfo string so any name works, sslmode and application name through the environment, the
   * password through the pgpass file. The tool's environment is otherwise minimal (see {@link
   * CommandRunner}): the source's pg_dump never sees the target's password, nor any other secret.
   */
  private static List<String> connectionArgs(Endpoint e) {
    return List.of(
        "--host=" + e.host(),
        "--port=" + e.portOrDefault(),
        "--username=" + e.user(),
        "--no-password",
        "--dbname=dbname='" + e.database().replace("\\", "\\\\").replace("'", "\\'") + "'");
  }

  /**
   * The command of a pg tool connecting to {@code e}: the minimal environment every child gets, the
   * worker's TLS file settings, the endpoint's libpq settings and the pgpass file. One place, so
   * every pg tool (pg_dump, pg_restore, pg_amcheck) sees the same and nothing more.
   */
  static CommandSpec pgCommand(
      List<String> argv, Endpoint e, String applicationName, PgPassFile pgpass) {
    return CommandSpec.of(argv)
        .withInheritEnv(PG_TLS_ENV)
        .withEnv(connectionEnv(e, applicationName))
        .withEnv(pgpass.environment());
  }

  private static Map<String, String> connectionEnv(Endpoint e, String applicationName) {
    return Map.of(
        "PGSSLMODE", e.sslmodeOrDefault(), "PGAPPNAME", applicationName, "PGCONNECT_TIMEOUT", "30");
  }

  // ---------------------------------------------------------------- dump

  /**
   * Runs {@code pg_dump -Fd -j N -Z level [--snapshot=ID] -f dir}. The directory must not exist, be
   * empty, or hold an earlier pg_dump attempt (removed first). Reports the bytes written so far
   * every few seconds.
   *
   * @throws io.temporal.failure.ApplicationFailure when pg_dump fails: {@code PreconditionFailed}
   *     for authentication and permission errors, {@code Transient} otherwise
   */
  public DumpOutcome dump(DumpRequest request, Consumer<DumpProgress> progress) {
    PgToolset tools = locate();
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
    argv.addAll(connectionArgs(request.source()));
    Endpoint src = request.source();
    try (PgPassFile pgpass =
        PgPassFile.create(
            src.host(), src.portOrDefault(), src.database(), src.user(), password(src))) {
      CommandSpec spec =
          CommandSpec.of(argv)
              .withInheritEnv(PG_TLS_ENV)
              .withEnv(connectionEnv(src, "signalbox-dump " + nullToEmpty(request.copyId())))
              .withEnv(pgpass.environment())
              .withTimeout(request.timeoutOrDefault())
              .withProgressInterval(progressEvery);
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
          .mapToLong(PgTools::sizeOrZero)
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

  // ---------------------------------------------------------------- restore

  /**
   * Restores a directory-format dump into the target: {@code pg_restore -j N --exit-on-error
   * [--no-owner] [--no-privileges] -v}. The target is checked and prepared first (see {@link
   * RestoreRequest}): a non-empty target that is not this copy's earlier attempt is refused before
   * anything is written; an earlier attempt's objects are dropped; a finished earlier attempt is
   * success without work. Reports tables restored every few seconds.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PreconditionFailed} for a refused target,
   *     old tools or authentication errors; {@code Transient} when pg_restore fails otherwise (a
   *     retry cleans and restores again)
   */
  public RestoreOutcome restore(RestoreRequest request, Consumer<RestoreProgress> progress) {
    if (request.copyId() == null || request.copyId().isBlank()) {
      throw FailureType.INVALID_INPUT.failure("restore: copyId is required");
    }
    Path dir = request.dir().toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("toc.dat"))) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "no directory-format dump at " + dir + " (toc.dat missing)");
    }
    Endpoint target = request.target();
    PgToolset tools = locate();
    String appName = RestoreTargetGuard.applicationName(request.copyId());
    RestorePreparation preparation;
    try (Connection c = connect(target, "signalbox-restore-guard")) {
      requireAtLeast(tools, serverVersionNum(c), target.describe());
      preparation =
          RestoreTargetGuard.prepare(
              c, target.describe(), request.copyId(), Boolean.TRUE.equals(target.allowNonEmpty()));
    } catch (SQLException e) {
      throw FailureType.TRANSIENT.failure(
          "cannot prepare " + target.describe() + ": " + e.getMessage());
    }
    if (preparation == RestorePreparation.ALREADY_RESTORED) {
      return new RestoreOutcome(target.describe(), List.of(), preparation, 0, 0, "");
    }

    int total = countTableData(tools, dir);
    List<String> argv = new ArrayList<>();
    argv.add(tools.pgRestore().toString());
    argv.add("--jobs=" + request.jobsOrDefault());
    argv.add("--exit-on-error");
    argv.add("--verbose");
    if (request.noOwnerOrDefault()) {
      argv.add("--no-owner");
    }
    if (request.noPrivilegesOrDefault()) {
      argv.add("--no-privileges");
    }
    argv.addAll(connectionArgs(target));
    argv.add(dir.toString());
    AtomicInteger done = new AtomicInteger();
    Pattern tableDone = request.jobsOrDefault() > 1 ? TABLE_DATA_FINISHED : TABLE_DATA_STARTED;
    try (PgPassFile pgpass =
        PgPassFile.create(
            target.host(),
            target.portOrDefault(),
            target.database(),
            target.user(),
            password(target))) {
      CommandSpec spec =
          CommandSpec.of(argv)
              .withInheritEnv(PG_TLS_ENV)
              .withEnv(connectionEnv(target, appName))
              .withEnv(pgpass.environment())
              .withTimeout(request.timeoutOrDefault())
              .withProgressInterval(progressEvery)
              .withStderrLines(
                  line -> {
                    if (tableDone.matcher(line).find()) {
                      done.incrementAndGet();
                    }
                  });
      CommandResult result =
          runner.run(
              spec,
              p -> {
                if (progress != null) {
                  progress.accept(
                      new RestoreProgress(
                          Math.min(done.get(), total), total, p.elapsed().toMillis()));
                }
              });
      if (!result.succeeded()) {
        throw toolFailure("pg_restore into " + target.describe(), result);
      }
      try (Connection c = connect(target, "signalbox-restore-guard")) {
        RestoreTargetGuard.markDone(c, request.copyId());
      } catch (SQLException e) {
        throw FailureType.TRANSIENT.failure(
            "restored, but cannot mark " + target.describe() + " as done: " + e.getMessage());
      }
      // Exit code 0 with --exit-on-error: every TABLE DATA entry of the dump was loaded.
      log.info("restored {} tables into {} in {}", total, target.describe(), result.duration());
      return new RestoreOutcome(
          target.describe(),
          result.argv(),
          preparation,
          total,
          result.duration().toMillis(),
          result.stderr().tail());
    }
  }

  /** The number of TABLE DATA entries in the dump's table of contents. */
  private int countTableData(PgToolset tools, Path dir) {
    AtomicInteger count = new AtomicInteger();
    CommandResult r =
        runner.run(
            CommandSpec.of(tools.pgRestore().toString(), "--list", dir.toString())
                .withTimeout(Duration.ofMinutes(5))
                .withStdoutLines(
                    line -> {
                      if (!line.startsWith(";") && line.contains(" TABLE DATA ")) {
                        count.incrementAndGet();
                      }
                    }),
            null);
    if (!r.succeeded()) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "cannot read the dump at " + dir + ": " + r.summary());
    }
    return count.get();
  }

  private static RuntimeException toolFailure(String what, CommandResult result) {
    String stderr = result.stderr().tail();
    String message =
        what
            + " failed: "
            + (result.timedOut()
                ? "timed out after " + result.duration()
                : "exit code " + result.exitCode())
            + ": "
            + lastLines(stderr, 6);
    if (!result.timedOut()
        && (stderr.contains("password authentication failed")
            || stderr.contains("no password supplied")
            || stderr.contains("permission denied")
            || stderr.contains("server version mismatch")
            || stderr.contains("unsupported version"))) {
      return FailureType.PRECONDITION_FAILED.failure(message);
    }
    return FailureType.TRANSIENT.failure(message);
  }

  /** The last lines of a tool's stderr, without pg_restore's verbose progress lines. */
  static String lastLines(String text, int n) {
    List<String> lines =
        text.lines()
            .filter(l -> !l.isBlank())
            .filter(
                l ->
                    !l.startsWith("pg_restore: launching item")
                        && !l.startsWith("pg_restore: finished item")
                        && !l.startsWith("pg_restore: processing item")
                        && !l.startsWith("pg_restore: creating ")
                        && !l.startsWith("pg_restore: processing data"))
            .toList();
    String joined = String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    return joined.length() <= 2000 ? joined : "…" + joined.substring(joined.length() - 2000);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
