package io.signalbox.activities.backup;

import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import io.signalbox.activities.postgres.PgAmcheck;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgErrors;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.SnapshotDump;
import io.signalbox.workflows.backup.BackupActivities;
import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BackupActivities} over PgJDBC, the pg tools and the dump directory. The scratch database's
 * name is checked against {@code signalbox_verify_…} before it is created or dropped, and a dump is
 * deleted only when it lies inside the dump roots and holds nothing but pg_dump's files.
 */
public class BackupActivitiesImpl implements BackupActivities {
  private static final Logger log = LoggerFactory.getLogger(BackupActivitiesImpl.class);

  private static final Pattern SCRATCH_NAME = Pattern.compile("signalbox_verify_[0-9a-z]{1,40}");

  /** Files pg_dump writes into a directory-format dump, and the manifest. */
  private static final Pattern DUMP_FILE =
      Pattern.compile(
          "toc\\.dat|(blob_)?\\d+\\.dat(\\.(gz|lz4|zst))?|blobs(_\\d+)?\\.toc|manifest\\.json(\\..*)?");

  /** {@code 3581; 0 16390 TABLE DATA public orders owner} in {@code pg_restore --list}. */
  private static final Pattern TABLE_DATA =
      Pattern.compile("^(\\d+); \\d+ \\d+ TABLE DATA (\\S+) (.+) \\S+$");

  private static final Duration AMCHECK_TIMEOUT = Duration.ofHours(6);

  private final PgTools tools;
  private final PgConnector connector;
  private final CommandRunner runner;
  private final PgAmcheck amcheck;
  private final Path dumpDir;
  private final String hostTaskQueue;

  /**
   * @param tools the pg tools (pg_restore for the table of contents, the bin directory)
   * @param connector opens JDBC connections with resolved passwords
   * @param runner runs pg_amcheck and pg_restore --list
   * @param dumpDir the worker's dump directory ({@code signalbox.dump-dir}): dumps are read and
   *     deleted only inside it
   * @param hostTaskQueue this worker's own task queue, or null when the dump directory is shared
   */
  public BackupActivitiesImpl(
      PgTools tools,
      PgConnector connector,
      CommandRunner runner,
      Path dumpDir,
      String hostTaskQueue) {
    this.tools = tools;
    this.connector = connector;
    this.runner = runner;
    this.amcheck = new PgAmcheck(tools, runner);
    this.dumpDir = dumpDir.toAbsolutePath().normalize();
    this.hostTaskQueue = hostTaskQueue;
  }

  // ---------------------------------------------------------------- scratch server

  @Override
  public ScratchReport checkScratch(ScratchCheckRequest request) {
    Endpoint scratch = required(request == null ? null : request.scratch(), "scratch");
    String pgAmcheckVersion = amcheck.version();
    try (Connection c = connector.open(scratch)) {
      int versionNum;
      String version;
      boolean superuser;
      boolean createDb;
      boolean amcheckAvailable;
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT current_setting('server_version_num')::int,"
                      + " current_setting('server_version'), r.rolsuper, r.rolcreatedb,"
                      + " EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck')"
                      + " FROM pg_roles r WHERE r.rolname = current_user")) {
        rs.next();
        versionNum = rs.getInt(1);
        version = rs.getString(2);
        superuser = rs.getBoolean(3);
        createDb = rs.getBoolean(4);
        amcheckAvailable = rs.getBoolean(5);
      }
      List<String> problems = new ArrayList<>();
      if (!superuser && !createDb) {
        problems.add(
            "the user "
                + scratch.user()
                + " may not create databases: ALTER ROLE "
                + scratch.user()
                + " CREATEDB (or use another user)");
      }
      if (!amcheckAvailable) {
        problems.add(
            "the amcheck extension is not available on the server: install PostgreSQL's contrib"
                + " modules there");
      } else if (!superuser && !amcheckInTemplate(scratch)) {
        problems.add(
            "pg_amcheck needs the amcheck extension, which only a superuser may create: use a"
                + " superuser for scratch, or CREATE EXTENSION amcheck in template1 and GRANT"
                + " EXECUTE on its functions to "
                + scratch.user());
      }
      if (!problems.isEmpty()) {
        throw FailureType.PRECONDITION_FAILED.failure(
            "scratch server " + scratch.describe() + " refused: " + String.join("; ", problems));
      }
      List<String> leftovers = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT datname FROM pg_database WHERE datname LIKE 'signalbox\\_verify\\_%'"
                      + " ORDER BY 1")) {
        while (rs.next()) {
          leftovers.add(rs.getString(1));
        }
      }
      return new ScratchReport(
          scratch.describe(),
          versionNum,
          version,
          superuser,
          superuser || createDb,
          pgAmcheckVersion,
          leftovers);
    } catch (SQLException e) {
      throw PgErrors.failure("check scratch server " + scratch.describe(), e);
    }
  }

  private boolean amcheckInTemplate(Endpoint scratch) {
    try (Connection c = connector.open(scratch, "template1");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')")) {
      rs.next();
      return rs.getBoolean(1);
    } catch (SQLException e) {
      log.debug("cannot look into template1 of {}: {}", scratch.describe(), e.getMessage());
      return false;
    }
  }

  @Override
  public ScratchResult createScratch(ScratchRequest request) {
    Endpoint scratch = required(request == null ? null : request.scratch(), "scratch");
    String name = scratchName(request.name());
    try (Connection c = connector.open(scratch)) {
      if (exists(c, name)) {
        // The name carries the run id: only an earlier attempt of this run created it.
        log.info("scratch database {} already exists (an earlier attempt)", name);
        return new ScratchResult(name, false);
      }
      String sql = "CREATE DATABASE " + quote(name);
      String templateEncoding = templateEncoding(c);
      if (request.encoding() != null && !request.encoding().equalsIgnoreCase(templateEncoding)) {
        // template1 has another encoding: template0 with the C locale takes any encoding.
        sql +=
            " TEMPLATE template0 ENCODING "
                + literal(request.encoding())
                + " LC_COLLATE 'C' LC_CTYPE 'C'";
      }
      try (Statement st = c.createStatement()) {
        st.execute(sql);
      }
      log.info("created scratch database {} on {}", name, scratch.describe());
      return new ScratchResult(name, true);
    } catch (SQLException e) {
      if ("42P04".equals(e.getSQLState())) { // duplicate_database: a concurrent earlier attempt
        return new ScratchResult(name, false);
      }
      throw PgErrors.failure("create scratch database " + name + " on " + scratch.describe(), e);
    }
  }

  @Override
  public ScratchResult dropScratch(ScratchRequest request) {
    Endpoint scratch = required(request == null ? null : request.scratch(), "scratch");
    String name = scratchName(request.name());
    try (Connection c = connector.open(scratch)) {
      if (!exists(c, name)) {
        return new ScratchResult(name, false);
      }
      boolean force = serverVersionNum(c) >= 130000;
      for (int attempt = 1; ; attempt++) {
        // Sessions still open in it (a pg_restore being cancelled) are ended first.
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE datname = ? AND pid <> pg_backend_pid()")) {
          ps.setString(1, name);
          ps.execute();
        }
        try (Statement st = c.createStatement()) {
          st.execute("DROP DATABASE IF EXISTS " + quote(name) + (force ? " WITH (FORCE)" : ""));
          log.info("dropped scratch database {} on {}", name, scratch.describe());
          return new ScratchResult(name, true);
        } catch (SQLException e) {
          // 55006: a session connected between the termination and the drop.
          if (!"55006".equals(e.getSQLState()) || attempt >= 5) {
            throw e;
          }
          sleep(Duration.ofMillis(500L * attempt));
        }
      }
    } catch (SQLException e) {
      throw PgErrors.failure("drop scratch database " + name + " on " + scratch.describe(), e);
    }
  }

  // ---------------------------------------------------------------- amcheck

  @Override
  public AmcheckReport amcheck(AmcheckRequest request) {
    Endpoint db = required(request == null ? null : request.database(), "database");
    try (Connection c = connector.open(db);
        Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION IF NOT EXISTS amcheck");
    } catch (SQLException e) {
      throw PgErrors.failure("CREATE EXTENSION amcheck in " + db.describe(), e);
    }
    ActivityExecutionContext ctx = context();
    PgAmcheck.Outcome outcome =
        amcheck.check(
            db,
            request.jobs() == null ? 2 : request.jobs(),
            AMCHECK_TIMEOUT,
            p -> {
              if (ctx != null) {
                ctx.heartbeat(p.elapsed().toMillis());
              }
            });
    String summary =
        outcome.corrupt()
            ? "pg_amcheck found corruption (" + outcome.problems().size() + " lines reported)"
            : "pg_amcheck found no corruption (heap and B-tree indexes, --heapallindexed)";
    log.info("{} in {}", summary, db.describe());
    return new AmcheckReport(
        !outcome.corrupt(), summary, outcome.problems(), outcome.argv(), outcome.durationMillis());
  }

  // ---------------------------------------------------------------- dumps

  @Override
  public DumpInfo inspect(InspectRequest request) {
    String given = request == null ? null : request.path();
    if (given == null || given.isBlank()) {
      throw FailureType.INVALID_INPUT.failure("backup.path: no path given");
    }
    Path dir = Path.of(given).toAbsolutePath().normalize();
    if (!insideDumpRoots(dir)) {
      throw FailureType.INVALID_INPUT.failure(
          "backup.path "
              + given
              + " is outside the worker's dump directory "
              + dumpDir
              + ": only dumps inside it can be verified");
    }
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

  @Override
  public void checkDumpDir(DumpDirRequest request) {
    String given = request == null ? null : request.dumpDir();
    if (given != null && !insideDumpRoots(Path.of(given).toAbsolutePath().normalize())) {
      throw FailureType.INVALID_INPUT.failure(
          "copy.dumpDir "
              + given
              + " is outside the worker's dump directory "
              + dumpDir
              + ": leave it out, or give a directory inside it");
    }
  }

  @Override
  public FilesReport checkFiles(FilesCheckRequest request) {
    Path dir = existingDump(request == null ? null : request.dumpPath());
    DumpManifest m = manifest(dir);
    ActivityExecutionContext ctx = context();
    Runnable tick = ctx == null ? null : () -> ctx.heartbeat(null);
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

  @Override
  public DeleteDumpResult deleteDump(DeleteDumpRequest request) {
    String given = request == null ? null : request.dumpPath();
    if (given == null || given.isBlank()) {
      throw FailureType.INVALID_INPUT.failure("deleteDump: no dump path given");
    }
    Path dir = Path.of(given).toAbsolutePath().normalize();
    if (!insideDumpRoots(dir) || dir.equals(dumpDir)) {
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

  /**
   * Whether a path lies inside the worker's dump directory (symbolic links resolved where the path
   * exists). Kept apart so it can defer to the configured dump roots ({@code signalbox.dump-roots})
   * once the worker has them.
   */
  boolean insideDumpRoots(Path path) {
    Path p = path.toAbsolutePath().normalize();
    if (!p.startsWith(dumpDir)) {
      return false;
    }
    try {
      Path root = Files.exists(dumpDir) ? dumpDir.toRealPath() : dumpDir;
      Path real = Files.exists(p) ? p.toRealPath() : p;
      return real.startsWith(root);
    } catch (IOException e) {
      return false;
    }
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

  // ---------------------------------------------------------------- helpers

  private static String scratchName(String name) {
    if (name == null || !SCRATCH_NAME.matcher(name).matches()) {
      throw FailureType.INVALID_INPUT.failure(
          "refusing scratch database name " + name + ": only signalbox_verify_… names are used");
    }
    return name;
  }

  private static boolean exists(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static String templateEncoding(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_encoding_to_char(encoding) FROM pg_database"
                    + " WHERE datname = 'template1'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static int serverVersionNum(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1));
    }
  }

  /** A quoted identifier, as {@code quote_ident} makes it. */
  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw FailureType.INVALID_INPUT.failure(field + ": not given");
    }
    return value;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureType.TRANSIENT.failure("interrupted");
    }
  }

  private static ActivityExecutionContext context() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException e) {
      return null; // called directly (tests): no heartbeats
    }
  }
}
