package io.signalbox.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.FileVisitor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One throwaway PostgreSQL server for tests, started from the machine's PostgreSQL binaries.
 *
 * <p>{@link #start()} runs {@code initdb} into a fresh temporary directory and {@code pg_ctl start
 * -w} on a free port of 127.0.0.1, tuned for speed (no fsync). The superuser {@code postgres} has a
 * random password per server and TCP connections use scram-sha-256, so tests can exercise password
 * references; the Unix socket (inside the temporary directory) trusts local users. {@link #stop()}
 * ({@link #close()}) stops the server ({@code -m immediate}) and deletes the directory; a JVM
 * shutdown hook does the same as a backstop.
 *
 * <p>PostgreSQL refuses to run as root: when the tests run as root, the directory is handed to the
 * {@code postgres} OS user and {@code initdb}/{@code pg_ctl} run through {@code runuser -u postgres
 * --} (argv, no shell).
 *
 * <p>Binaries: {@code $PG_BIN}, else {@code pg_config --bindir}, else the highest {@code
 * /usr/lib/postgresql/N/bin}.
 */
public final class PostgresServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PostgresServer.class);
  private static final String SUPERUSER = "postgres";
  private static final String OS_USER = "postgres";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static volatile Boolean root;
  private static volatile Path cachedBinDir;
  private static boolean swept;

  private final Path binDir;
  private final Path baseDir;
  private final Path dataDir;
  private final String password;
  private final Thread shutdownHook;
  private int port;
  private volatile boolean running;

  private PostgresServer(Path binDir, Path baseDir, String password) {
    this.binDir = binDir;
    this.baseDir = baseDir;
    this.dataDir = baseDir.resolve("data");
    this.password = password;
    this.shutdownHook = new Thread(this::stopQuietly, "pg-stop-" + baseDir.getFileName());
  }

  /** Starts a server with the default settings. */
  public static PostgresServer start() {
    return start(Map.of());
  }

  /**
   * Starts a server; {@code settings} are added to (and override) the harness defaults in {@code
   * postgresql.conf}, e.g. {@code Map.of("max_connections", "100")}.
   */
  public static PostgresServer start(Map<String, String> settings) {
    return start(defaultBinDir(), settings);
  }

  /**
   * Starts a server from the binaries in {@code bin} ({@code initdb}, {@code pg_ctl}, {@code
   * postgres}), e.g. an older major extracted by {@link PostgresBinaries}. As root, {@code bin} and
   * its libraries must be readable and executable by the {@code postgres} user.
   */
  public static PostgresServer start(Path bin, Map<String, String> settings) {
    String password = randomPassword();
    Path base;
    synchronized (PostgresServer.class) {
      if (!swept) {
        swept = true;
        sweepOrphans(tempRoot());
      }
    }
    try {
      base = Files.createTempDirectory(tempRoot(), "signalbox-pg-");
      Files.writeString(base.resolve("owner.pid"), ProcessHandle.current().pid() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory for PostgreSQL", e);
    }
    PostgresServer server = new PostgresServer(bin, base, password);
    Runtime.getRuntime().addShutdownHook(server.shutdownHook);
    try {
      server.initdb(settings);
      server.startOnFreePort();
      return server;
    } catch (RuntimeException | Error e) {
      server.stopQuietly();
      throw e;
    }
  }

  private void initdb(Map<String, String> settings) {
    long t0 = System.nanoTime();
    try {
      int major = majorVersion(binDir);
      Path sockets = baseDir.resolve("sock");
      Files.createDirectories(sockets);
      Path pwfile = baseDir.resolve("pwfile");
      Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
      if (isRoot()) {
        chownToPostgres(baseDir, sockets, pwfile);
      }
      List<String> initdb =
          new ArrayList<>(
              List.of(
                  binDir.resolve("initdb").toString(),
                  "-D",
                  dataDir.toString(),
                  "-U",
                  SUPERUSER,
                  "--pwfile=" + pwfile,
                  "--auth-host=scram-sha-256",
                  "--auth-local=trust",
                  "-E",
                  "UTF8",
                  "--locale=C",
                  "--no-sync"));
      if (major >= 14) {
        initdb.add("--no-instructions"); // new in 14
      }
      run(60, initdb.toArray(String[]::new));
      Files.deleteIfExists(pwfile);

      Map<String, String> conf = new LinkedHashMap<>();
      conf.put("listen_addresses", "'127.0.0.1'");
      conf.put("unix_socket_directories", "'" + sockets + "'");
      conf.put("fsync", "off");
      conf.put("synchronous_commit", "off");
      conf.put("full_page_writes", "off");
      conf.put("max_connections", "50");
      conf.put("shared_buffers", "64MB");
      conf.put("password_encryption", "'scram-sha-256'");
      conf.put("logging_collector", "off");
      conf.put("log_min_messages", "warning");
      conf.put("timezone", "'UTC'");
      settings.forEach(conf::put);
      StringBuilder sb = new StringBuilder("\n# signalbox test harness\n");
      conf.forEach((k, v) -> sb.append(k).append(" = ").append(v).append('\n'));
      // Appending as root keeps the file's owner (postgres); later settings win in postgresql.conf.
      Files.writeString(
          dataDir.resolve("postgresql.conf"),
          sb.toString(),
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("initdb into " + dataDir + " failed", e);
    }
    log.debug("initdb {} took {} ms", dataDir, (System.nanoTime() - t0) / 1_000_000);
  }

  private void startOnFreePort() {
    // A free port can be taken by someone else between probing and binding: try a few.
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      port = freePort();
      try {
        long t0 = System.nanoTime();
        // The port goes into postgresql.conf (later lines win), not through pg_ctl -o, which
        // hands its options to a shell.
        Files.writeString(
            dataDir.resolve("postgresql.conf"),
            "port = " + port + "\n",
            StandardCharsets.UTF_8,
            java.nio.file.StandardOpenOption.APPEND);
        run(
            60,
            binDir.resolve("pg_ctl").toString(),
            "-D",
            dataDir.toString(),
            "-l",
            baseDir.resolve("server.log").toString(),
            "-w",
            "-t",
            "30",
            "start");
        running = true;
        log.info(
            "PostgreSQL started on 127.0.0.1:{} in {} ms ({})",
            port,
            (System.nanoTime() - t0) / 1_000_000,
            baseDir);
        return;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (IllegalStateException e) {
        last = e;
        log.warn("PostgreSQL did not start on port {}: {}", port, e.getMessage());
      }
    }
    throw last;
  }

  /** The host to connect to (always {@code 127.0.0.1}). */
  public String host() {
    return "127.0.0.1";
  }

  /** The TCP port. */
  public int port() {
    return port;
  }

  /** The superuser role ({@code postgres}). */
  public String superuser() {
    return SUPERUSER;
  }

  /** The superuser's password (random per server). */
  public String password() {
    return password;
  }

  /**
   * The major version of the binaries in {@code bin} ({@code 13}, {@code 15}), from {@code initdb
   * --version}.
   */
  public static int majorVersion(Path bin) {
    try {
      Process p =
          new ProcessBuilder(bin.resolve("initdb").toString(), "--version")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(bin + "/initdb --version failed: " + out);
      }
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(\\.\\d+)?").matcher(out);
      if (!m.find()) {
        throw new IllegalStateException("no version in: " + out);
      }
      return Integer.parseInt(m.group(1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The directory with the PostgreSQL binaries this server was started from. */
  public Path binDir() {
    return binDir;
  }

  /** The directory of the server's Unix socket (trust authentication). */
  public Path socketDir() {
    return baseDir.resolve("sock");
  }

  /** The temporary directory holding data, socket and log; deleted by {@link #stop()}. */
  public Path baseDir() {
    return baseDir;
  }

  /** Whether the server has been started and not stopped. */
  public boolean isRunning() {
    return running;
  }

  /** {@code jdbc:postgresql://127.0.0.1:port/db} (user and password not included). */
  public String jdbcUrl(String db) {
    return "jdbc:postgresql://" + host() + ":" + port + "/" + db;
  }

  /** A new connection as the superuser over TCP (password authentication). */
  public Connection connect(String db) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", SUPERUSER);
    props.setProperty("password", password);
    return DriverManager.getConnection(jdbcUrl(db), props);
  }

  /** Creates a database (quoted, so any name works). */
  public void createDatabase(String name) {
    execute("postgres", "CREATE DATABASE " + quoteIdent(name));
  }

  /** Drops a database if it exists, ending its sessions. */
  public void dropDatabase(String name) {
    execute("postgres", "DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)");
  }

  /**
   * Runs SQL in {@code db}, each argument as one statement execution (an argument may hold several
   * statements, including dollar-quoted function bodies), in auto-commit mode.
   */
  public void execute(String db, String... sql) {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed on " + jdbcUrl(db) + ": " + e.getMessage(), e);
    }
  }

  /** Runs a classpath resource (e.g. {@code /datasets/shapes.sql}) as one script in {@code db}. */
  public void executeResource(String db, String resource) {
    try (InputStream in = PostgresServer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no such resource: " + resource);
      }
      execute(db, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The rows of a query, each column as its text form ({@code null} stays null). {@code sql} may
   * hold several statements (e.g. a {@code SET} before the query): the last result set counts.
   */
  public List<List<String>> query(String db, String sql) {
    try (Connection c = connect(db);
        Statement st = c.createStatement()) {
      List<List<String>> rows = null;
      boolean isResultSet = st.execute(sql);
      while (true) {
        if (isResultSet) {
          try (ResultSet rs = st.getResultSet()) {
            rows = rows(rs);
          }
        } else if (st.getUpdateCount() == -1) {
          break;
        }
        isResultSet = st.getMoreResults();
      }
      if (rows == null) {
        throw new IllegalArgumentException("no result set from: " + sql);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException("query failed on " + jdbcUrl(db) + ": " + e.getMessage(), e);
    }
  }

  private static List<List<String>> rows(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<List<String>> rows = new ArrayList<>();
    while (rs.next()) {
      List<String> row = new ArrayList<>(md.getColumnCount());
      for (int i = 1; i <= md.getColumnCount(); i++) {
        row.add(rs.getString(i));
      }
      rows.add(row);
    }
    return rows;
  }

  /** The first column of the first row of a query, or null when there is no row. */
  public String queryValue(String db, String sql) {
    List<List<String>> rows = query(db, sql);
    return rows.isEmpty() ? null : rows.get(0).get(0);
  }

  /** The first column of every row of a query. */
  public List<String> queryColumn(String db, String sql) {
    return query(db, sql).stream().map(r -> r.get(0)).toList();
  }

  /** Stops the server ({@code pg_ctl stop -m immediate}) and deletes its directory. Idempotent. */
  public synchronized void stop() {
    try {
      if (running) {
        // No data directory: somebody (the orphan sweep) already stopped and removed it.
        if (Files.isDirectory(dataDir)) {
          run(
              60,
              binDir.resolve("pg_ctl").toString(),
              "-D",
              dataDir.toString(),
              "-m",
              "immediate",
              "-w",
              "stop");
        }
        running = false;
      }
    } finally {
      deleteRecursively(baseDir);
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // Already shutting down: this call comes from the hook itself.
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (RuntimeException e) {
      log.warn("could not stop PostgreSQL in {}: {}", baseDir, e.getMessage());
      deleteRecursively(baseDir);
    }
  }

  @Override
  public String toString() {
    return "PostgresServer[127.0.0.1:" + port + ", " + baseDir + "]";
  }

  /** A PostgreSQL identifier, double-quoted. */
  public static String quoteIdent(String ident) {
    return "\"" + ident.replace("\"", "\"\"") + "\"";
  }

  /** The directory with {@code initdb}, {@code pg_ctl}, {@code pg_dump}, … (see class doc). */
  public static Path defaultBinDir() {
    Path cached = cachedBinDir;
    if (cached != null) {
      return cached;
    }
    Path found = findBinDir();
    cachedBinDir = found;
    return found;
  }

  private static Path findBinDir() {
    String env = System.getenv("PG_BIN");
    if (env != null && !env.isBlank()) {
      Path p = Paths.get(env);
      if (!Files.isExecutable(p.resolve("initdb"))) {
        throw new IllegalStateException("PG_BIN=" + env + " has no executable initdb");
      }
      return p;
    }
    try {
      Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        Path dir = Paths.get(out);
        if (Files.isExecutable(dir.resolve("initdb"))) {
          return dir;
        }
      }
    } catch (IOException e) {
      // No pg_config on the PATH: fall through to the Debian layout.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Path root = Paths.get("/usr/lib/postgresql");
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        return versions
            .filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
            .max(Comparator.comparingDouble(v -> Double.parseDouble(v.getFileName().toString())))
            .map(v -> v.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb")))
            .orElseThrow(() -> new IllegalStateException("no PostgreSQL under " + root));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new IllegalStateException(
        "PostgreSQL binaries not found: set PG_BIN, put pg_config on the PATH or install"
            + " postgresql under /usr/lib/postgresql");
  }

  private static Path tempRoot() {
    // As root the directory goes to the postgres user, who must be able to reach it: /tmp is
    // world-traversable, java.io.tmpdir may not be.
    String configured = System.getenv("SIGNALBOX_PG_TMPDIR");
    if (configured != null && !configured.isBlank()) {
      return Paths.get(configured);
    }
    return isRoot() ? Paths.get("/tmp") : Paths.get(System.getProperty("java.io.tmpdir"));
  }

  private static boolean isRoot() {
    Boolean r = root;
    if (r == null) {
      try {
        Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        r = "0".equals(out);
      } catch (IOException e) {
        r = "root".equals(System.getProperty("user.name"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      root = r;
    }
    return r;
  }

  private static void chownToPostgres(Path... paths) throws IOException {
    UserPrincipal owner =
        paths[0].getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
    for (Path p : paths) {
      Files.setOwner(p, owner);
    }
  }

  /** Runs a command (as the postgres OS user when we are root), failing on a non-zero exit. */
  private void run(int timeoutSeconds, String... argv) {
    List<String> cmd = new ArrayList<>();
    if (isRoot()) {
      cmd.addAll(List.of("runuser", "-u", OS_USER, "--"));
    }
    cmd.addAll(List.of(argv));
    Path out = baseDir.resolve("cmd-" + System.nanoTime() + ".out");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(baseDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!done) {
        p.destroyForcibly();
        throw new IllegalStateException(argv[0] + " timed out after " + timeoutSeconds + " s");
      }
      String output = Files.exists(out) ? Files.readString(out) : "";
      if (p.exitValue() != 0) {
        String serverLog = "";
        Path logFile = baseDir.resolve("server.log");
        if (Files.exists(logFile)) {
          serverLog = "\nserver.log:\n" + Files.readString(logFile);
        }
        throw new IllegalStateException(
            String.join(" ", argv) + " exited with " + p.exitValue() + ":\n" + output + serverLog);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + argv[0], e);
    } finally {
      try {
        Files.deleteIfExists(out);
      } catch (IOException e) {
        // The directory may already be gone.
      }
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * Created when this class is initialised, not on first use: cleanup also runs from a shutdown
   * hook, possibly after a concurrent build has removed the class files it would lazily load.
   */
  private static final FileVisitor<Path> DELETER =
      new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) {
          return FileVisitResult.CONTINUE; // gone already
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
          Files.deleteIfExists(d);
          return FileVisitResult.CONTINUE;
        }
      };

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(dir, DELETER);
    } catch (IOException e) {
      log.warn("could not delete {}: {}", dir, e.getMessage());
    }
  }

  /**
   * Removes what killed test JVMs left behind in the temporary directory: a server directory whose
   * owning JVM (recorded in {@code owner.pid}) is gone is stopped and deleted. Directories without
   * an owner file are only deleted when no server runs in them and they are older than an hour.
   * Runs once per JVM, before the first server starts.
   */
  static void sweepOrphans(Path root) {
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir :
          dirs.filter(d -> d.getFileName().toString().startsWith("signalbox-pg-")).toList()) {
        try {
          Path owner = dir.resolve("owner.pid");
          Path pidFile = dir.resolve("data").resolve("postmaster.pid");
          boolean serverAlive = Files.exists(pidFile) && alive(firstLine(pidFile));
          boolean orphan;
          if (Files.exists(owner)) {
            orphan = !alive(firstLine(owner));
          } else {
            orphan =
                !serverAlive
                    && Files.getLastModifiedTime(dir).toMillis()
                        < System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
          }
          if (!orphan) {
            continue;
          }
          if (serverAlive) {
            new PostgresServer(defaultBinDir(), dir, "")
                .run(
                    60,
                    defaultBinDir().resolve("pg_ctl").toString(),
                    "-D",
                    dir.resolve("data").toString(),
                    "-m",
                    "immediate",
                    "-w",
                    "stop");
          }
          deleteRecursively(dir);
          log.info("removed an orphaned test server directory {}", dir);
        } catch (IOException | RuntimeException e) {
          log.debug("could not sweep {}: {}", dir, e.getMessage());
        }
      }
    } catch (IOException e) {
      log.debug("could not list {}: {}", root, e.getMessage());
    }
  }

  private static String firstLine(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    return lines.isEmpty() ? "" : lines.get(0).trim();
  }

  private static boolean alive(String pid) {
    try {
      return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
