package io.signalbox.activities.postgres;

import static io.signalbox.activities.postgres.PgCopyAssertions.endpoint;
import static io.signalbox.activities.postgres.PgCopyAssertions.newDatabase;
import static io.signalbox.activities.postgres.PgCopyAssertions.tools;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.CopyProgress;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dump, restore and verify heartbeat a {@link CopyProgress} (issue 13): real servers, real pg_dump
 * and pg_restore, the heartbeats as Temporal's activity environment receives them.
 */
@Timeout(300)
class CopyProgressHeartbeatTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  private static final int TABLES = 6;

  @TempDir Path dumps;
  private TestActivityEnvironment env;
  private CopyActivities copy;
  private final List<CopyProgress> beats = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    CopyActivitiesImpl impl =
        new CopyActivitiesImpl(
            tools(pg.server(0), new CommandRunner()),
            new PgConnector(ref -> PgCopyAssertions.PASSWORDS.get(ref.env())),
            dumps,
            "signalbox-host-a");
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(impl);
    env.setActivityHeartbeatListener(CopyProgress.class, beats::add);
    // A short heartbeat timeout makes the SDK send heartbeats often (it throttles them to 80 % of
    // it), so the test sees more than the first; the activity environment does not time out on it.
    copy =
        env.newActivityStub(
            CopyActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                .setHeartbeatTimeout(Duration.ofMillis(50))
                .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  @Test
  void dumpRestoreAndVerifyHeartbeatBytesAndTablesOutOfTheirTotals() {
    PostgresServer a = pg.server(0);
    PostgresServer b = pg.server(1);
    String src = newDatabase(a, "progress_src");
    for (int i = 1; i <= TABLES; i++) {
      a.execute(
          src,
          "CREATE TABLE t"
              + i
              + " (id bigint PRIMARY KEY, body text)"
              + "; INSERT INTO t"
              + i
              + " SELECT g, repeat(md5(g::text), 6) FROM generate_series(1, 60000) g");
    }
    a.execute(src, "ANALYZE");
    String dst = newDatabase(b, "progress_dst");

    CopyActivities.DumpResult dump =
        copy.dump(
            new CopyActivities.DumpRequest(
                endpoint(a, src), "progress", 2, null, true, null, "run-1"));
    List<CopyProgress> dumped = phase("dump");
    assertThat(dumped).isNotEmpty();
    // The total before pg_dump starts is an estimate of the COPY text from the statistics: within
    // a fifth of what pg_dump wrote (the table sizes would be a third more, with tuple headers).
    assertThat(dumped.get(0).bytesDone()).isZero();
    assertThat((double) dumped.get(0).bytesTotal())
        .isBetween(dump.dumpBytes() * 0.8, dump.dumpBytes() * 1.2);
    assertThat(dumped).allSatisfy(p -> assertThat(p.tablesTotal()).isEqualTo(TABLES));
    assertGrowing(dumped);

    beats.clear();
    copy.restore(
        new CopyActivities.RestoreRequest(endpoint(b, dst), dump.dumpPath(), "progress", 2, null));
    List<CopyProgress> restored = phase("restore");
    assertThat(restored).isNotEmpty();
    // The total is the dump's table data files: all of the dump's bytes but its table of contents.
    assertThat(restored)
        .allSatisfy(
            p -> {
              assertThat(p.tablesTotal()).isEqualTo(TABLES);
              assertThat(p.bytesTotal()).isPositive().isLessThan(dump.dumpBytes());
            });
    assertGrowing(restored);

    beats.clear();
    CopyActivities.VerificationReport report =
        copy.verify(new CopyActivities.VerifyRequest(endpoint(b, dst), dump.dumpPath(), true, 2));
    assertThat(report.matches()).as(report.summary()).isTrue();
    List<CopyProgress> verified = phase("verify");
    assertThat(verified).isNotEmpty();
    assertThat(verified).allSatisfy(p -> assertThat(p.tablesTotal()).isEqualTo(TABLES));
    assertGrowing(verified);
  }

  private List<CopyProgress> phase(String phase) {
    System.out.println(phase + ": " + beats);
    assertThat(beats).allSatisfy(p -> assertThat(p.phase()).isEqualTo(phase));
    return List.copyOf(beats);
  }

  /** Done never goes back, never passes the total, and grows over the step. */
  private static void assertGrowing(List<CopyProgress> beats) {
    for (int i = 1; i < beats.size(); i++) {
      assertThat(beats.get(i).bytesDone()).isGreaterThanOrEqualTo(beats.get(i - 1).bytesDone());
      assertThat(beats.get(i).tablesDone()).isGreaterThanOrEqualTo(beats.get(i - 1).tablesDone());
    }
    beats.forEach(p -> assertThat(p.bytesDone()).isLessThanOrEqualTo(p.bytesTotal()));
    assertThat(beats.get(beats.size() - 1).bytesDone()).isGreaterThan(beats.get(0).bytesDone());
  }
}
