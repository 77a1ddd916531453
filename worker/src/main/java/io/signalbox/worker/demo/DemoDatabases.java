package io.signalbox.worker.demo;

import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two throwaway PostgreSQL servers for {@code signalbox dev --demo}: a source with Gitea-like
 * sample data ({@code demo/gitea-sample.sql}) and an empty target, each with a superuser {@code
 * gitea} of a random password and a database {@code gitea}, listening on a free port of 127.0.0.1.
 *
 * <p>They run from the machine's PostgreSQL server binaries ({@code initdb}, {@code pg_ctl}), found
 * through {@code $PG_BIN}, {@code pg_config --bindir} or the highest {@code
 * /usr/lib/postgresql/N/bin}. PostgreSQL refuses to run as root: as root the servers' directory
 * belongs to the {@code postgres} OS user and the binaries run through {@code runuser -u postgres
 * --}. Each server lives in a directory {@code signalbox-demo-*} of the temporary directory ({@code
 * /tmp} as root), deleted by {@link #close()}; a directory whose owning process ({@code owner.pid})
 * is gone, as after a kill -9, is stopped and removed the next time a demo starts.
 */
public final class DemoDatabases implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(DemoDatabases.class);

  /** The database and its superuser, on both servers. */
  public static final String DATABASE = "gitea";

  public static final String USER = "gitea";

  static final String SAMPLE = "/demo/gitea-sample.sql";
  private static final String DIR_PREFIX = "signalbox-demo-";
  private static final String OS_USER = "postgres";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Server source;
  private final Server target;

  private DemoDatabases(Server source, Server target) {
    this.source = source;
    this.target = target;
  }

  /** The server with the sample data. */
  public Server source() {
    return source;
  }

  /** The empty server. */
  public Server target() {
    return target;
  }

  /**
   * Starts both servers and loads the sample data into the source.
   *
   * @param environment the process environment ({@code PG_BIN})
   * @throws DemoUnavailableException when the PostgreSQL server binaries are not there
   */
  public static DemoDatabases start(Function<String, String> environment) {
    Path bin = findBinDir(environment);
    boolean root = isRoot();
    Path tmp = root ? Path.of("/tmp") : Path.of(System.getProperty("java.io.tmpdir"));
    sweepOrphans(tmp, bin, root);
    Server source = null;
    try {
      source = Server.start(bin, tmp, root, "source");
      Server target = Server.start(bin, tmp, root, "target");
      long t0 = System.nanoTime();
      source.runScript(SAMPLE);
      log.info(
          "Demo source loaded with Gitea-like sample data ({}) in {} ms",
          source.size(),
          (System.nanoTime() - t0) / 1_000_000);
      return new DemoDatabases(source, target);
    } catch (RuntimeException e) {
      if (source != null) {
        source.close();
      }
      throw e;
    }
  }

  /** Stops both servers and deletes their directories. */
  @Override
  public void close() {
    source.close();
    target.close();
  }

  // ------------------------------------------------------------------ one server

  /** One server: superuser {@code gitea}, database {@code gitea}, on 127.0.0.1. */
  public static final class Server implements Closeable {
    private final Path bin;
    private final Path dir;
    private final boolean root;
    private final String password;
    private final Thread hook;
    private int port;
    private boolean running;

    private Server(Path bin, Path dir, boolean root, String password) {
      this.bin = bin;
      this.dir = dir;
      this.root = root;
      this.password = password;
      this.hook = new Thread(this::close, "demo-pg-stop-" + dir.getFileName());
    }

    static Server start(Path bin, Path tmp, boolean root, String name) {
      Path dir;
      try {
        dir = Files.createTempDirectory(tmp, DIR_PREFIX + name + "-");
        Files.writeString(dir.resolve("owner.pid"), ProcessHandle.current().pid() + "\n");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a directory for the demo PostgreSQL", e);
      }
      Server server = new Server(bin, dir, root, randomPassword());
      // A backstop when the process ends without the application's shutdown (an error).
      Runtime.getRuntime().addShutdownHook(server.hook);
      try {
        server.initdb();
        server.startOnFreePort();
        return server;
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
      return "127.0.0.1";
    }

    public int port() {
      return port;
    }

    /** The superuser's password (random per demo). */
    public String password() {
      return password;
    }

    /** The server's directory (data, socket, log). */
    public Path dir() {
      return dir;
    }

    private void initdb() {
      try {
        Path socket = dir.resolve("sock");
        Files.createDirectories(socket);
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
        if (root) {
          chown(dir, socket, pwfile);
        }
        run(
            bin.resolve("initdb").toString(),
            "-D",
            dir.resolve("data").toString(),
            "-U",
            USER,
            "--pwfile=" + pwfile,
            "--auth-host=scram-sha-256",
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync");
        Files.deleteIfExists(pwfile);
        conf(
            "\n# signalbox dev --demo\n"
                + "listen_addresses = '127.0.0.1'\n"
                + "unix_socket_directories = '"
                + socket
                + "'\n"
                + "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                + "max_connections = 40\nshared_buffers = 32MB\nlogging_collector = off\n"
                + "timezone = 'UTC'\n");
      } catch (IOException e) {
        throw new UncheckedIOException("initdb for the demo failed", e);
      }
    }

    private void conf(String lines) throws IOException {
      // Appended as root the file keeps its owner; later lines win in postgresql.conf.
      Files.writeString(
          dir.resolve("data").resolve("postgresql.conf"),
          lines,
          StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
    }

    private void startOnFreePort() {
      IllegalStateException last = null;
      // A free port can be taken between probing and binding: try a few.
      for (int attempt = 0; attempt < 3; attempt++) {
        port = freePort();
        try {
          conf("port = " + port + "\n");
          run(
              bin.resolve("pg_ctl").toString(),
              "-D",
              dir.resolve("data").toString(),
              "-l",
              dir.resolve("server.log").toString(),
              "-w",
              "-t",
              "60",
              "start");
          running = true;
          execute("postgres", "CREATE DATABASE " + DATABASE);
          log.info("Demo PostgreSQL started on 127.0.0.1:{} ({})", port, dir);
          return;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (IllegalStateException e) {
          last = e;
          log.warn("Demo PostgreSQL did not start on port {}: {}", port, e.getMessage());
        }
      }
      throw last;
    }

    /** Runs a classpath SQL script in database {@code gitea}. */
    void runScript(String resource) {
      try (InputStream in = DemoDatabases.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("no resource " + resource + " in the jar");
        }
        execute(DATABASE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Runs each statement (a string may hold several) in {@code db}, in auto-commit mode. */
    public void execute(String db, String... sql) {
      try (Connection c = connect(db);
          Statement st = c.createStatement()) {
        for (String s : sql) {
          st.execute(s);
        }
      } catch (SQLException e) {
        throw new IllegalStateException(
            "SQL failed on the demo server " + port + ": " + e.getMessage(), e);
      }
    }

    /** The first column of the first row of a query. */
    public String queryValue(String db, String sql) {
      try (Connection c = connect(db);
          Statement st = c.createStatement();
          ResultSet rs = st.executeQuery(sql)) {
        return rs.next() ? rs.getString(1) : null;
      } catch (SQLException e) {
        throw new IllegalStateException(
            "query failed on the demo server " + port + ": " + e.getMessage(), e);
      }
    }

    /** The database's size and its rows, e.g. {@code 12 MB, 6 tables, 92201 rows}. */
    public String size() {
      return queryValue(
          DATABASE,
          "SELECT pg_size_pretty(pg_database_size(current_database())) || ', '"
              + " || count(*) || ' tables, ' || sum(n_live_tup) || ' rows'"
              + " FROM pg_stat_user_tables");
    }

    private Connection connect(String db) throws SQLException {
      Properties props = new Properties();
      props.setProperty("user", USER);
      props.setProperty("password", password);
      return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db, props);
    }

    /** Stops the server ({@code pg_ctl stop -m fast}) and deletes its directory. Idempotent. */
    @Override
    public synchronized void close() {
      try {
        if (running && Files.isDirectory(dir.resolve("data"))) {
          running = false;
          stopServer(bin, dir, root);
        }
      } catch (RuntimeException e) {
        log.warn("could not stop the demo PostgreSQL in {}: {}", dir, e.getMessage());
      } finally {
        deleteRecursively(dir);
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // Already shutting down: this call may come from the hook itself.
        }
      }
    }

    private void run(String... argv) {
      DemoDatabases.run(root, dir, argv);
    }
  }

  // ------------------------------------------------------------------ helpers

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
                .filter(DemoDatabases::hasServer)
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

  private static void chown(Path... paths) throws IOException {
    UserPrincipal owner =
        paths[0].getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(OS_USER);
    for (Path p : paths) {
      Files.setOwner(p, owner);
    }
  }

  /** Runs a PostgreSQL binary (through {@code runuser -u postgres --} as root); fails on exit. */
  private static void run(boolean root, Path dir, String... argv) {
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

  private static void stopServer(Path bin, Path dir, boolean root) {
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

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
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
