package io.signalbox.activities.copy;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.postgres.Inspector;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresBinaries;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A copy across major versions, as the real migration does it (an older chart's PostgreSQL into a
 * newer image): the source is a PostgreSQL 13 server from the server-only binaries on the test
 * class path ({@link PostgresBinaries}), the target the installed 15, dumped and restored with the
 * installed 15 tools. The two servers deparse some definitions differently; verification must not
 * report that as a difference, and must still name a real one.
 */
class CrossVersionCopyTest {
  @RegisterExtension static PostgresExtension pg15 = new PostgresExtension(1);
  private static PostgresServer pg13;
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();

  @TempDir Path dumps;
  private TestActivityEnvironment env;
  private CopyActivities copy;

  @BeforeAll
  static void startOlderServer() {
    pg13 = PostgresServer.start(PostgresBinaries.extracted(), Map.of());
  }

  @AfterAll
  static void stopOlderServer() {
    if (pg13 != null) {
      pg13.stop();
    }
  }

  @BeforeEach
  void setUp() {
    SecretResolver secrets = new SecretResolver(null, PASSWORDS::get);
    CopyActivitiesImpl impl =
        new CopyActivitiesImpl(
            new PgTools(new CommandRunner(), pg15.server(0).binDir(), secrets::resolve),
            new PgConnector(secrets),
            dumps,
            null);
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(impl);
    copy = env.newActivityStub(CopyActivities.class);
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private static Endpoint endpoint(PostgresServer server, String db) {
    String ref = "PGPW_" + server.port();
    PASSWORDS.put(ref, server.password());
    return new Endpoint(
        server.host(),
        server.port(),
        db,
        server.superuser(),
        new SecretRef(ref, null, null),
        "disable",
        null);
  }

  private record Copied(String dst, String dumpPath) {}

  /**
   * Loads the shapes dataset and the objects that newer servers show differently into a new
   * database on 13, and copies it into a new one on 15.
   */
  private Copied copyShapes(String copyId) {
    String src = "src_" + NEXT.incrementAndGet();
    pg13.createDatabase(src);
    pg13.executeResource(src, "/datasets/shapes.sql");
    pg13.executeResource(src, "/datasets/crossversion.sql");
    PostgresServer b = pg15.server(0);
    String dst = "dst_" + NEXT.incrementAndGet();
    b.createDatabase(dst);
    CopyActivities.DumpResult dump =
        copy.dump(
            new CopyActivities.DumpRequest(endpoint(pg13, src), copyId, 2, null, true, null, null));
    copy.restore(
        new CopyActivities.RestoreRequest(endpoint(b, dst), dump.dumpPath(), copyId, 2, null));
    return new Copied(dst, dump.dumpPath());
  }

  private CopyActivities.VerificationReport verify(Copied c) {
    return copy.verify(
        new CopyActivities.VerifyRequest(endpoint(pg15.server(0), c.dst()), c.dumpPath(), true, 2));
  }

  @Test
  void theServersAreTwoMajorsApart() {
    assertThat(PostgresServer.majorVersion(pg13.binDir())).isEqualTo(13);
    assertThat(pg13.queryValue("postgres", "SHOW server_version_num")).startsWith("13");
    assertThat(pg15.server(0).queryValue("postgres", "SHOW server_version_num")).startsWith("15");
  }

  @Test
  void aFaithfulCopyFrom13To15VerifiesWithoutASchemaDifference() {
    Copied c = copyShapes("cross-ok");

    CopyActivities.VerificationReport report = verify(c);

    assertThat(report.schemaDifferences()).isEmpty();
    assertThat(report.sequenceProblems()).isEmpty();
    assertThat(report.matches()).as(report.summary()).isTrue();
    assertThat(report.checksums()).isTrue();
    assertThat(report.sourceRows()).isEqualTo(report.targetRows()).isPositive();
  }

  /**
   * Every common type dumped from 13 and restored into 15: the checksums of the dump's data files
   * (13's COPY text) equal the target's COPY text on 15, and one changed value is still named.
   */
  @Test
  void everyTypeVerifiesByItsCopyTextFrom13To15() {
    String src = "types_src_" + NEXT.incrementAndGet();
    pg13.createDatabase(src);
    pg13.executeResource(src, "/datasets/every_type.sql");
    PostgresServer b = pg15.server(0);
    String dst = "types_dst_" + NEXT.incrementAndGet();
    b.createDatabase(dst);
    String copyId = "cross-types";
    CopyActivities.DumpResult dump =
        copy.dump(
            new CopyActivities.DumpRequest(endpoint(pg13, src), copyId, 2, null, true, null, null));
    copy.restore(
        new CopyActivities.RestoreRequest(endpoint(b, dst), dump.dumpPath(), copyId, 2, null));
    Copied c = new Copied(dst, dump.dumpPath());

    CopyActivities.VerificationReport report = verify(c);

    assertThat(report.matches()).as(report.summary()).isTrue();
    assertThat(report.tables())
        .hasSize(4)
        .allSatisfy(
            t ->
                assertThat(t.sourceChecksum())
                    .startsWith(io.signalbox.activities.postgres.CopyTextChecksum.PREFIX)
                    .isEqualTo(t.targetChecksum()));

    b.execute(dst, "UPDATE public.every_type SET f8 = f8 + 1e-9 WHERE id = 20");
    assertThat(verify(c).mismatchingTables()).containsExactly("public.every_type");
  }

  /**
   * Without a dump in between: the same script loaded on 13 and on 15 gives the same inventory, so
   * what each server reads from its own catalog does not depend on its version.
   */
  @Test
  void theSameScriptGivesTheSameInventoryOnBothVersions() throws Exception {
    String db13 = "direct_" + NEXT.incrementAndGet();
    pg13.createDatabase(db13);
    pg13.executeResource(db13, "/datasets/shapes.sql");
    pg13.executeResource(db13, "/datasets/crossversion.sql");
    PostgresServer b = pg15.server(0);
    String db15 = "direct_" + NEXT.incrementAndGet();
    b.createDatabase(db15);
    b.executeResource(db15, "/datasets/shapes.sql");
    b.executeResource(db15, "/datasets/crossversion.sql");

    SchemaInventory on13;
    SchemaInventory on15;
    try (Connection c = pg13.connect(db13)) {
      on13 = Inspector.inventory(c);
    }
    try (Connection c = b.connect(db15)) {
      on15 = Inspector.inventory(c);
    }

    assertThat(on13.differences(on15)).isEmpty();
    // The parents' triggers are listed, not their clones on the partitions.
    assertThat(on15.count("trigger")).isEqualTo(2);
    // Two written functions and the range type's two constructors; not its multirange's three.
    assertThat(on15.count("function")).isEqualTo(4);
    assertThat(on15.objects()).noneMatch(o -> o.name().contains("multirange"));
  }

  @Test
  void aMissingIndexAChangedColumnTypeAndADroppedTriggerAreStillCaughtAndNamed() {
    Copied c = copyShapes("cross-changed");
    pg15.server(0)
        .execute(
            c.dst(),
            "DROP INDEX public.events_account",
            "ALTER TABLE \"Sales\".\"LineItems\" ALTER COLUMN note TYPE varchar(80)",
            "DROP TRIGGER measurements_stamp ON public.measurements",
            "ALTER TABLE public.offers ALTER COLUMN prices TYPE numrange USING prices::text::numrange");

    CopyActivities.VerificationReport report = verify(c);

    assertThat(report.matches()).isFalse();
    assertThat(report.schemaDifferences())
        .containsExactly(
            "differs: column \"Sales\".\"LineItems\".note: #4 character varying(40)"
                + " <> #4 character varying(80)",
            "differs: column public.offers.prices: #2 public.price_range NOT NULL"
                + " <> #2 numrange NOT NULL",
            "missing on target: index public.events_account",
            "missing on target: trigger public.measurements.measurements_stamp");
    assertThat(report.mismatchingTables()).isEmpty();
  }
}
