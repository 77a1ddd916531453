package io.signalbox.activities.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dump → restore → verify through the activity, as a worker runs it: two real PostgreSQL servers,
 * real pg_dump and pg_restore, heartbeats through Temporal's activity test environment.
 */
class CopyActivitiesImplTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();

  @TempDir Path dumps;
  private TestActivityEnvironment env;
  private CopyActivities copy;
  private CopyActivitiesImpl impl;

  @BeforeEach
  void setUp() {
    SecretResolver secrets = new SecretResolver(null, PASSWORDS::get);
    impl =
        new CopyActivitiesImpl(
            new PgTools(new CommandRunner(), pg.server(0).binDir(), secrets::resolve),
            new PgConnector(secrets),
            dumps,
            "signalbox-host-a");
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

  private static String database(PostgresServer server, String prefix) {
    String name = prefix + "_" + NEXT.incrementAndGet();
    server.createDatabase(name);
    return name;
  }

  private static String fingerprint(PostgresServer server, String db) {
    return server.queryValue(
        db,
        "SELECT md5(string_agg(format('%I.%I', n.nspname, c.relname) || ':' ||"
            + " (xpath('/row/c/text()', query_to_xml(format('SELECT md5(coalesce(string_agg(t::text,"
            + " '''' ORDER BY t::text), '''')) AS c FROM ONLY %I.%I t', n.nspname, c.relname),"
            + " false, true, '')))[1]::text, ',' ORDER BY 1)) FROM pg_class c JOIN pg_namespace n"
            + " ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN"
            + " ('pg_catalog', 'information_schema')");
  }

  private record Copied(
      String src,
      String dst,
      CopyActivities.DumpResult dump,
      CopyActivities.RestoreResult restore) {}

  private Copied copyShapes(String copyId) {
    return copyShapes(copyId, null);
  }

  private Copied copyShapes(String copyId, String dumpKey) {
    PostgresServer a = pg.server(0);
    PostgresServer b = pg.server(1);
    String src = database(a, "src");
    a.executeResource(src, "/datasets/shapes.sql");
    String dst = database(b, "dst");
    CopyActivities.DumpResult dump =
        copy.dump(
            new CopyActivities.DumpRequest(endpoint(a, src), copyId, 2, null, true, null, dumpKey));
    CopyActivities.RestoreResult restore =
        copy.restore(
            new CopyActivities.RestoreRequest(endpoint(b, dst), dump.dumpPath(), copyId, 2, null));
    return new Copied(src, dst, dump, restore);
  }

  private CopyActivities.VerificationReport verify(Copied c) {
    return copy.verify(
        new CopyActivities.VerifyRequest(
            endpoint(pg.server(1), c.dst()), c.dump().dumpPath(), true, 2));
  }

  @Test
  void aCopyVerifiesAndTheSourceIsUnchanged() {
    PostgresServer a = pg.server(0);
    Copied c = copyShapes("copy-ok");
    String before = fingerprint(a, c.src());

    CopyActivities.VerificationReport report = verify(c);

    assertThat(report.matches()).as(report.summary()).isTrue();
    assertThat(report.checksums()).isTrue();
    assertThat(report.tables()).isNotEmpty().allSatisfy(t -> assertThat(t.ok()).isTrue());
    assertThat(report.sourceRows()).isEqualTo(report.targetRows()).isPositive();
    assertThat(report.tables())
        .extracting(CopyActivities.TableCheck::table)
        .contains("public.\"Order\"", "public.\"user\"");
    assertThat(c.dump().hostTaskQueue()).isEqualTo("signalbox-host-a");
    assertThat(c.dump().dumpPath()).startsWith(dumps.toString()).endsWith("copy-ok");
    assertThat(Path.of(c.dump().dumpPath()).resolve("manifest.json")).exists();
    assertThat(c.restore().cleanedEarlierAttempt()).isFalse();
    assertThat(fingerprint(a, c.src())).isEqualTo(before);
  }

  @Test
  void aSingleChangedValueAndADeletedRowAreCaughtWithTheTableNamed() {
    Copied c = copyShapes("copy-tampered");
    PostgresServer b = pg.server(1);
    b.execute(
        c.dst(),
        "UPDATE public.\"Order\" SET \"Total\" = \"Total\" + 0.01 WHERE ctid = (SELECT min(ctid) FROM public.\"Order\")",
        "DELETE FROM public.\"user\" WHERE ctid = (SELECT min(ctid) FROM public.\"user\")");

    CopyActivities.VerificationReport report = verify(c);

    assertThat(report.matches()).isFalse();
    assertThat(report.mismatchingTables()).containsExactly("public.\"Order\"", "public.\"user\"");
    assertThat(report.tables().get(0).problem()).isEqualTo("content checksum differs");
    assertThat(report.tables().get(1).problem()).startsWith("row count ");
    assertThat(report.summary()).startsWith("2 of ");
  }

  @Test
  void readBesideTheRestoreEachTablesContentIsReadOnceAndTrustedOnlyWhileUnchanged() {
    impl.readBesideRestore(true);
    Copied c = copyShapes("copy-beside");
    Map<String, String> manifest = new java.util.TreeMap<>();
    io.signalbox.activities.postgres.SnapshotDump.readManifest(Path.of(c.dump().dumpPath()))
        .tables()
        .forEach(t -> manifest.put(t.table(), t.checksum()));
    Map<String, io.signalbox.activities.postgres.LoadedTableChecksums.Read> read =
        impl.loadedChecksums(c.dump().dumpPath(), endpoint(pg.server(1), c.dst()));

    // Every table was read as soon as pg_restore had loaded it, and matches the dump's file.
    assertThat(read).isNotNull();
    assertThat(read.keySet()).isEqualTo(manifest.keySet());
    read.forEach(
        (table, r) -> assertThat(r.stats().checksum()).as(table).isEqualTo(manifest.get(table)));

    // After the restore read them: one row of audit_log replaced by another (the same count),
    // and one row of "Order" written again with the same values. Both tables have rows written
    // since they were read, so verify reads both again: it names audit_log only.
    pg.server(1)
        .execute(
            c.dst(),
            "UPDATE public.\"Order\" SET \"Total\" = \"Total\" WHERE \"Id\" = 1",
            "WITH gone AS (DELETE FROM public.audit_log WHERE ctid = (SELECT min(ctid) FROM"
                + " public.audit_log) RETURNING *) INSERT INTO public.audit_log SELECT table_name,"
                + " op, at + 1, row_data FROM gone");
    CopyActivities.VerificationReport report = verify(c);
    assertThat(report.mismatchingTables()).containsExactly("public.audit_log");
    assertThat(report.tables().get(0).problem()).isEqualTo("content checksum differs");
    // Taken once: the restore's reads are gone.
    assertThat(impl.loadedChecksums(c.dump().dumpPath(), endpoint(pg.server(1), c.dst()))).isNull();
  }

  @Test
  void unquoteSplitsAQuotedQualifiedName() {
    assertThat(BesideRestoreReads.unquote("public.t")).containsExactly("public", "t");
    assertThat(BesideRestoreReads.unquote("\"Sales\".\"Line \"\"Items\"\"\""))
        .containsExactly("Sales", "Line \"Items\"");
    assertThat(BesideRestoreReads.unquote("s.\"a.b\"")).containsExactly("s", "a.b");
  }

  @Test
  void aDumpThatIsNotOnThisWorkerIsAClearPreconditionFailure() {
    ActivityFailure thrown =
        catchThrowableOfType(
            ActivityFailure.class,
            () ->
                copy.restore(
                    new CopyActivities.RestoreRequest(
                        endpoint(pg.server(1), "postgres"),
                        dumps.resolve("nonexistent/dump").toString(),
                        "x",
                        1,
                        null)));
    assertThat(thrown).isNotNull();
    assertThat(thrown.getCause()).isInstanceOf(ApplicationFailure.class);
    ApplicationFailure failure = (ApplicationFailure) thrown.getCause();
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getType()).isEqualTo("PreconditionFailed");
    assertThat(failure.getOriginalMessage()).contains("is not on this worker");
  }

  @Test
  void aDumpDirOutsideTheDumpRootsIsInvalidInputNamingTheFieldAndTheRoots(@TempDir Path outside)
      throws Exception {
    Files.createSymbolicLink(dumps.resolve("link-out"), outside);
    for (String dumpDir :
        List.of(
            "../../etc",
            "var/dumps",
            dumps + "/../etc",
            dumps + "-evil",
            dumps + "/link-out",
            dumps + "/a\u0000b")) {
      ActivityFailure thrown =
          catchThrowableOfType(
              ActivityFailure.class,
              () ->
                  copy.dump(
                      new CopyActivities.DumpRequest(
                          endpoint(pg.server(0), "postgres"),
                          "copy-evil",
                          1,
                          dumpDir,
                          false,
                          null,
                          "run-1")));
      assertThat(thrown).as(dumpDir).isNotNull();
      assertThat(thrown.getCause()).isInstanceOf(ApplicationFailure.class);
      ApplicationFailure failure = (ApplicationFailure) thrown.getCause();
      assertThat(failure.getType()).isEqualTo("InvalidInput");
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getOriginalMessage())
          .startsWith("copy.dumpDir ")
          .contains(dumps.toString())
          .contains("signalbox.dump-roots");
    }
    try (Stream<Path> s = Files.list(outside)) {
      assertThat(s).isEmpty();
    }
    assertThat(Path.of("../../etc/copy-evil")).doesNotExist();
  }

  @Test
  void aRunThatReusesACopyIdKeepsTheEarlierRunsDumpAndEachRestoresFromItsOwnPath()
      throws Exception {
    Copied first = copyShapes("reused-id", "run-a");
    Path firstManifest = Path.of(first.dump().dumpPath()).resolve("manifest.json");
    String firstManifestText = Files.readString(firstManifest);
    PostgresServer a = pg.server(0);
    a.execute(first.src(), "CREATE TABLE only_in_first (x int)");

    Copied second = copyShapes("reused-id", "run-b");

    assertThat(first.dump().dumpPath()).isEqualTo(dumps.resolve("reused-id/run-a").toString());
    assertThat(second.dump().dumpPath()).isEqualTo(dumps.resolve("reused-id/run-b").toString());
    assertThat(Files.readString(firstManifest)).isEqualTo(firstManifestText);
    assertThat(Path.of(first.dump().dumpPath()).resolve("toc.dat")).exists();
    assertThat(verify(first).matches()).isTrue();
    assertThat(verify(second).matches()).isTrue();

    // A retry of the first run's dump (same key) replaces only its own directory.
    String src = database(a, "src");
    a.executeResource(src, "/datasets/shapes.sql");
    CopyActivities.DumpResult again =
        copy.dump(
            new CopyActivities.DumpRequest(
                endpoint(a, src), "reused-id", 2, null, true, null, "run-a"));
    assertThat(again.dumpPath()).isEqualTo(first.dump().dumpPath());
    assertThat(Path.of(second.dump().dumpPath()).resolve("manifest.json")).exists();
    assertThat(verify(second).matches()).isTrue();
  }

  @Test
  void aDumpKeyThatIsNotOneSafeSegmentIsRefused() {
    for (String key : List.of("..", "a/b", "../x", "", ".hidden", "x".repeat(129))) {
      ActivityFailure thrown =
          catchThrowableOfType(
              ActivityFailure.class,
              () ->
                  copy.dump(
                      new CopyActivities.DumpRequest(
                          endpoint(pg.server(0), "postgres"),
                          "copy-key",
                          1,
                          null,
                          false,
                          null,
                          key)));
      assertThat(thrown).as(key).isNotNull();
      assertThat(((ApplicationFailure) thrown.getCause()).getType()).isEqualTo("InvalidInput");
      assertThat(((ApplicationFailure) thrown.getCause()).getOriginalMessage()).contains("dumpKey");
    }
    assertThat(dumps.resolve("copy-key")).doesNotExist();
  }

  @Test
  void toolsOlderThanAServerAreRefusedWithTheFix() {
    CopyActivities.ToolsReport ok =
        copy.checkTools(
            new CopyActivities.CheckToolsRequest(
                List.of(new CopyActivities.ServerVersion("a@h:1/d", 150008))));
    assertThat(ok.version()).contains("PostgreSQL) 15.");
    assertThat(ok.binDir()).isEqualTo(pg.server(0).binDir().toString());
    ActivityFailure thrown =
        catchThrowableOfType(
            ActivityFailure.class,
            () ->
                copy.checkTools(
                    new CopyActivities.CheckToolsRequest(
                        List.of(new CopyActivities.ServerVersion("new@h:1/d", 990001)))));
    assertThat(thrown.getCause()).isInstanceOf(ApplicationFailure.class);
    assertThat(((ApplicationFailure) thrown.getCause()).getOriginalMessage())
        .contains("new@h:1/d runs PostgreSQL 99")
        .contains("install postgresql-client-99");
  }

  @Test
  void copyIdsCannotLeaveTheDumpDirectory() {
    assertThat(CopyActivitiesImpl.safeName("../../etc/passwd"))
        .doesNotContain("/")
        .isEqualTo(".._.._etc_passwd");
    assertThat(CopyActivitiesImpl.safeName("..")).isEqualTo("_..");
    assertThat(CopyActivitiesImpl.safeName("gitea-db-migration-2026-03-26"))
        .isEqualTo("gitea-db-migration-2026-03-26");
    assertThat(List.of(CopyActivitiesImpl.safeName("a b"))).containsExactly("a_b");
  }
}
