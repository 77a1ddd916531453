package io.signalbox.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {

  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  @Test
  void twoServersOnDifferentPortsAcceptPasswordLoginOverTcp() throws SQLException {
    PostgresServer a = pg.server(0);
    PostgresServer b = pg.server(1);
    assertThat(a.port()).isNotEqualTo(b.port());
    assertThat(a.password()).isNotEqualTo(b.password()).hasSizeGreaterThanOrEqualTo(16);

    try (Connection c = a.connect("postgres")) {
      assertThat(c.isValid(5)).isTrue();
    }
    a.createDatabase("Mixed Case");
    a.execute("Mixed Case", "CREATE TABLE t(x int)", "INSERT INTO t VALUES (1), (2)");
    assertThat(a.queryValue("Mixed Case", "SELECT sum(x) FROM t")).isEqualTo("3");
    assertThat(a.queryValue("postgres", "SELECT inet_server_port()"))
        .isEqualTo(String.valueOf(a.port()));
    assertThat(b.queryValue("postgres", "SELECT inet_server_port()"))
        .isEqualTo(String.valueOf(b.port()));
    assertThat(b.queryValue("postgres", "SHOW fsync")).isEqualTo("off");
    // The database made on a is not on b: they are two servers.
    assertThat(b.queryColumn("postgres", "SELECT datname FROM pg_database"))
        .doesNotContain("Mixed Case");
    assertThat(
            a.queryValue(
                "postgres",
                "SELECT count(*) FROM pg_hba_file_rules WHERE type = 'host'"
                    + " AND auth_method <> 'scram-sha-256'"))
        .isEqualTo("0");
  }

  @Test
  void wrongPasswordIsRefused() {
    PostgresServer a = pg.server(0);
    Properties props = new Properties();
    props.setProperty("user", a.superuser());
    props.setProperty("password", a.password() + "x");
    assertThatThrownBy(() -> DriverManager.getConnection(a.jdbcUrl("postgres"), props).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("password authentication failed");
    // b's password does not open a.
    props.setProperty("password", pg.server(1).password());
    assertThatThrownBy(() -> DriverManager.getConnection(a.jdbcUrl("postgres"), props).close())
        .isInstanceOf(SQLException.class);
  }

  @Test
  void stopClosesThePortAndDeletesTheDirectory() throws SQLException {
    PostgresServer s = PostgresServer.start();
    int port = s.port();
    var dir = s.baseDir();
    try (Connection c = s.connect("postgres")) {
      assertThat(c.isValid(5)).isTrue();
    }
    assertThat(Files.isDirectory(dir.resolve("data"))).isTrue();
    assertThat(portOpen(port)).isTrue();

    s.stop();

    assertThat(s.isRunning()).isFalse();
    assertThat(portOpen(port)).isFalse();
    assertThat(Files.exists(dir)).isFalse();
    s.stop(); // idempotent
  }

  @Test
  void anOrphanedServerIsStoppedAndDeletedByTheSweep(@TempDir Path tmp) throws Exception {
    PostgresServer s = PostgresServer.start();
    try {
      // Make it look like the JVM that started it was killed: its recorded owner is dead.
      Process gone = new ProcessBuilder("true").start();
      gone.waitFor();
      Files.writeString(s.baseDir().resolve("owner.pid"), gone.pid() + "\n");
      // A directory of a live JVM (this one) stays.
      assertThat(portOpen(s.port())).isTrue();

      PostgresServer.sweepOrphans(s.baseDir().getParent());

      assertThat(Files.exists(s.baseDir())).isFalse();
      assertThat(portOpen(s.port())).isFalse();
      assertThat(pg.server(0).queryValue("postgres", "SELECT 1")).isEqualTo("1");
      assertThat(Files.exists(pg.server(0).baseDir())).isTrue();
    } finally {
      s.stop();
    }
    // Old leftovers without an owner file and without a server go; fresh ones stay.
    Path old = Files.createDirectories(tmp.resolve("signalbox-pg-old").resolve("data"));
    Files.setLastModifiedTime(
        old.getParent(), FileTime.fromMillis(System.currentTimeMillis() - 2 * 3_600_000L));
    Path fresh = Files.createDirectories(tmp.resolve("signalbox-pg-fresh"));
    Path other = Files.createDirectories(tmp.resolve("something-else"));
    Files.setLastModifiedTime(other, FileTime.fromMillis(0));
    PostgresServer.sweepOrphans(tmp);
    assertThat(old.getParent()).doesNotExist();
    assertThat(fresh).exists();
    assertThat(other).exists();
  }

  private static boolean portOpen(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
