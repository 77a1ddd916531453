package io.signalbox.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.TableStats;
import io.signalbox.workflows.copy.TableStatsInput;
import io.signalbox.workflows.copy.TableStatsResult;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The table scan on its own: checksum definition, heartbeats, cancellation. */
class TableScannerTest {

  @RegisterExtension static PostgresExtension pg = new PostgresExtension(1);

  static PostgresServer server;

  @BeforeAll
  static void load() {
    server = pg.server(0);
    server.createDatabase("shapes");
    server.executeResource("shapes", "/datasets/shapes.sql");
    server.createDatabase("odd");
    // Columns named like the row alias and like a table alias must not shadow the whole row.
    server.execute(
        "odd",
        "CREATE TABLE t (sb_row int, t text, \"x\"\"y\" float8)",
        "INSERT INTO t SELECT i, 'v' || i, i / 9.0 FROM generate_series(1, 50) i",
        "CREATE TABLE \"a.b\" (id int)",
        "INSERT INTO \"a.b\" VALUES (1), (1)");
  }

  static TableScanner.ConnectionSource connections(String db) {
    return () -> server.connect(db);
  }

  @Test
  void checksumIsTheSumOfAHashOfEveryWholeRow() throws Exception {
    TableStatsResult r = new TableScanner(connections("odd"), 2).scan(true, null, (d, n) -> {});
    Map<String, TableStats> byName =
        r.tables().stream().collect(Collectors.toMap(TableStats::table, s -> s));
    assertThat(byName).containsOnlyKeys("public.t", "public.\"a.b\"");
    // Independently: hash of the row's text form, summed, under the same float output setting.
    String expected =
        server.queryValue(
            "odd",
            "SET extra_float_digits = 1;"
                + " SELECT sum(hashtextextended(x::text, 0))::text FROM t AS x");
    assertThat(byName.get("public.t").checksum()).isEqualTo(expected);
    assertThat(byName.get("public.t").rows()).isEqualTo(50);
    // Two identical rows are both counted (a sum, not a set).
    String one = server.queryValue("odd", "SELECT hashtextextended('(1)', 0)::numeric::text");
    assertThat(byName.get("public.\"a.b\"").checksum())
        .isEqualTo(
            new java.math.BigDecimal(one).multiply(java.math.BigDecimal.valueOf(2)).toString());
  }

  @Test
  void sameResultWithOneOrManyConnections() throws Exception {
    TableStatsResult one =
        new TableScanner(connections("shapes"), 1).scan(true, null, (d, n) -> {});
    TableStatsResult four =
        new TableScanner(connections("shapes"), 4).scan(true, null, (d, n) -> {});
    assertThat(four.tables()).isEqualTo(one.tables()).hasSize(10);
  }

  @Test
  void anEmptyDatabaseHasNoTables() throws Exception {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    TableStatsResult r =
        new TableScanner(connections("postgres"), 2).scan(true, null, (d, n) -> seen.add(n));
    assertThat(r.tables()).isEmpty();
    assertThat(r.snapshotId()).isNotBlank();
    assertThat(seen).containsExactly(0);
  }

  @Test
  void aSnapshotIdThatIsNotOneIsRefused() {
    assertThatThrownBy(
            () ->
                new TableScanner(connections("shapes"), 1)
                    .scan(false, "1'; DROP TABLE t; --", (d, n) -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void progressIsReportedUpToAllTables() throws Exception {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    new TableScanner(connections("shapes"), 2)
        .scan(
            false,
            null,
            (done, total) -> {
              assertThat(total).isEqualTo(10);
              seen.add(done);
            });
    assertThat(seen).startsWith(0).endsWith(10).isSorted().hasSize(11);
  }

  @Test
  void aFailingProgressCallbackCancelsTheRunningQueriesAndClosesTheConnections() throws Exception {
    try (Connection locker = server.connect("shapes")) {
      locker.setAutoCommit(false);
      try (Statement st = locker.createStatement()) {
        // The largest table, so it is among the first taken: its count waits for the lock.
        st.execute("LOCK TABLE public.events IN ACCESS EXCLUSIVE MODE");
      }
      AtomicInteger calls = new AtomicInteger();
      long t0 = System.nanoTime();
      assertThatThrownBy(
              () ->
                  new TableScanner(connections("shapes"), 2, 200)
                      .scan(
                          false,
                          null,
                          (done, total) -> {
                            if (calls.incrementAndGet() > 3) {
                              throw new IllegalStateException("activity cancelled");
                            }
                          }))
          .hasMessage("activity cancelled");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
      // No scan session is left behind (waiting on the lock or idle). A closed connection's
      // backend leaves pg_stat_activity a moment after the client closed it: allow it that moment,
      // while a session that was never cancelled stays for as long as the lock is held.
      String others =
          "SELECT count(*) FROM pg_stat_activity WHERE datname = 'shapes' AND pid <> "
              + pid(locker);
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!server.queryValue("postgres", others).equals("0") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(server.queryValue("postgres", others)).isEqualTo("0");
      locker.rollback();
    }
  }

  @Test
  void heartbeatsAsAnActivityAndItsRecordsSurviveSerialization(@TempDir Path tmp) throws Exception {
    // The password through a file reference this time.
    Path pw = tmp.resolve("pw");
    Files.writeString(pw, server.password() + "\n");
    Endpoint e =
        new Endpoint(
            server.host(),
            server.port(),
            "shapes",
            server.superuser(),
            new SecretRef(null, pw.toString(), null),
            null,
            null);
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      List<PostgresActivitiesImpl.ScanProgress> beats = new CopyOnWriteArrayList<>();
      env.setActivityHeartbeatListener(PostgresActivitiesImpl.ScanProgress.class, beats::add);
      env.registerActivitiesImplementations(new PostgresActivitiesImpl(new SecretResolver(null)));
      PostgresActivities stub =
          env.newActivityStub(
              PostgresActivities.class,
              ActivityOptions.newBuilder()
                  .setStartToCloseTimeout(Duration.ofMinutes(1))
                  .setHeartbeatTimeout(Duration.ofSeconds(30))
                  .build());
      TableStatsResult r = stub.tableStats(new TableStatsInput(e, true, 2, null));
      assertThat(r.tables()).hasSize(10);
      assertThat(r.checksums()).isTrue();
      assertThat(beats).isNotEmpty().allSatisfy(b -> assertThat(b.tables()).isEqualTo(10));
    } finally {
      env.close();
    }
  }

  private static int pid(Connection c) throws Exception {
    try (Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
