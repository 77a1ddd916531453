package io.signalbox.worker.demo;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One demo server of {@link DemoDatabases}: superuser {@code gitea}, database {@code gitea}, on
 * 127.0.0.1, in a directory of its own; started with {@code initdb} and {@code pg_ctl}, stopped and
 * deleted by {@link #close()}, and the SQL the demo runs in it.
 */
public final class DemoServer implements Closeable {
  // The demo's logger: where these lines were logged before this class was split off.
  private static final Logger log = LoggerFactory.getLogger(DemoDatabases.class);

  private final Path bin;
  private final Path dir;
  private final boolean root;
  private final String password;
  private final Thread hook;
  private int port;
  private boolean running;

  private DemoServer(Path bin, Path dir, boolean root, String password) {
    this.bin = bin;
    this.dir = dir;
    this.root = root;
    this.password = password;
    this.hook = new Thread(this::close, "demo-pg-stop-" + dir.getFileName());
  }

  static DemoServer start(Path bin, Path tmp, boolean root, String name) {
    Path dir;
    try {
      dir = Files.createTempDirectory(tmp, DemoHost.DIR_PREFIX + name + "-");
      Files.writeString(dir.resolve("owner.pid"), ProcessHandle.current().pid() + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the demo PostgreSQL", e);
    }
    DemoServer server = new DemoServer(bin, dir, root, DemoHost.randomPassword());
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
        DemoHost.chown(dir, socket, pwfile);
      }
      run(
          bin.resolve("initdb").toString(),
          "-D",
          dir.resolve("data").toString(),
          "-U",
          DemoDatabases.USER,
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
      port = DemoHost.freePort();
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
        execute("postgres", "CREATE DATABASE " + DemoDatabases.DATABASE);
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
      execute(DemoDatabases.DATABASE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
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
        DemoDatabases.DATABASE,
        "SELECT pg_size_pretty(pg_database_size(current_database())) || ', '"
            + " || count(*) || ' tables, ' || sum(n_live_tup) || ' rows'"
            + " FROM pg_stat_user_tables");
  }

  private Connection connect(String db) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", DemoDatabases.USER);
    props.setProperty("password", password);
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + db, props);
  }

  /** Stops the server ({@code pg_ctl stop -m fast}) and deletes its directory. Idempotent. */
  @Override
  public synchronized void close() {
    try {
      if (running && Files.isDirectory(dir.resolve("data"))) {
        running = false;
        DemoHost.stopServer(bin, dir, root);
      }
    } catch (RuntimeException e) {
      log.warn("could not stop the demo PostgreSQL in {}: {}", dir, e.getMessage());
    } finally {
      DemoHost.deleteRecursively(dir);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // Already shutting down: this call may come from the hook itself.
      }
    }
  }

  private void run(String... argv) {
    DemoHost.run(root, dir, argv);
  }
}
