package io.signalbox.activities.postgres;

import static io.signalbox.activities.postgres.PgCopyAssertions.assertSameContent;
import static io.signalbox.activities.postgres.PgCopyAssertions.endpoint;
import static io.signalbox.activities.postgres.PgCopyAssertions.fingerprint;
import static io.signalbox.activities.postgres.PgCopyAssertions.insertIntoEveryKeyedTable;
import static io.signalbox.activities.postgres.PgCopyAssertions.newDatabase;
import static io.signalbox.activities.postgres.PgCopyAssertions.tools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import io.signalbox.activities.postgres.PgCopyAssertions.LogCapture;
import io.signalbox.activities.postgres.PgCopyAssertions.RecordingRunner;
import io.signalbox.activities.postgres.RestoreOutcome.RestorePreparation;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.core.Endpoint;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** pg_dump and pg_restore through {@link PgTools}, against two real servers. */
@Timeout(300)
class PgToolsTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  @TempDir Path tmp;

  private PostgresServer a() {
    return pg.server(0);
  }

  private PostgresServer b() {
    return pg.server(1);
  }

  @Test
  void locatesTheConfiguredToolsAndTheirVersion() {
    PgToolset t = tools(a(), new CommandRunner()).locate();

    assertThat(t.foundBy()).isEqualTo("signalbox.pg-bin");
    assertThat(t.binDir()).isEqualTo(a().binDir());
    assertThat(t.major()).isGreaterThanOrEqualTo(10);
    assertThat(t.version()).startsWith("pg_dump (PostgreSQL) " + t.major());
  }

  @Test
  void locatesThroughPgBinThenTheDebianLayout() {
    PgTools viaEnv =
        new PgTools(
            new CommandRunner(),
            null,
            ref -> null,
            name -> name.equals("PG_BIN") ? a().binDir().toString() : null,
            java.time.Duration.ofSeconds(1));
    assertThat(viaEnv.locate().foundBy()).isEqualTo("PG_BIN");

    // No PATH, no PG_BIN: pg_config cannot be found, the highest /usr/lib/postgresql/N/bin is used.
    PgTools bare =
        new PgTools(
            new CommandRunner(), null, ref -> null, name -> null, java.time.Duration.ofSeconds(1));
    if (Files.isDirectory(Path.of("/usr/lib/postgresql"))) {
      PgToolset t = bare.locate();
      assertThat(t.foundBy()).isEqualTo("/usr/lib/postgresql");
      assertThat(t.binDir().toString()).startsWith("/usr/lib/postgresql/");
    }
  }

  @Test
  void aWrongConfiguredDirectoryIsAClearPreconditionFailure() {
    PgTools wrong =
        new PgTools(
            new CommandRunner(), tmp, ref -> null, name -> null, java.time.Duration.ofSeconds(1));

    assertThatThrownBy(wrong::locate)
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("PreconditionFailed");
              assertThat(f.isNonRetryable()).isTrue();
            })
        .hasMessageContaining("signalbox.pg-bin");
  }

  @Test
  void toolsOlderThanTheServerAreRefusedWithHowToFix() {
    PgToolset old =
        new PgToolset(
            Path.of("/opt/pg14/bin"),
            Path.of("/opt/pg14/bin/pg_dump"),
            Path.of("/opt/pg14/bin/pg_restore"),
            Path.of("/opt/pg14/bin/psql"),
            14,
            "pg_dump (PostgreSQL) 14.11",
            "PATH");

    assertThatThrownBy(() -> PgTools.requireAtLeast(old, 170002, "gitea@db:5432/gitea"))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("PreconditionFailed");
              assertThat(f.isNonRetryable()).isTrue();
            })
        .hasMessageContaining("version 14")
        .hasMessageContaining("PostgreSQL 17")
        .hasMessageContaining("postgresql-client-17")
        .hasMessageContaining("signalbox.pg-bin");
    PgTools.requireAtLeast(old, 140011, "same major");
    PgTools.requireAtLeast(old, 130000, "older server");
  }

  @Test
  void dumpAndRestoreMakeAnIdenticalDatabase() {
    String src = newDatabase(a(), "src");
    a().executeResource(src, "/datasets/shapes.sql");
    String dst = newDatabase(b(), "dst");
    Map<String, String> before = fingerprint(a(), src);
    PgTools tools = tools(a(), new CommandRunner());
    List<DumpProgress> dumped = new CopyOnWriteArrayList<>();
    List<RestoreProgress> restored = new CopyOnWriteArrayList<>();

    SnapshotDump.Outcome dump =
        new SnapshotDump(tools, java.time.Duration.ofMillis(100))
            .run(
                new DumpRequest(endpoint(a(), src), tmp.resolve("dump"), 2, 0, null, "c1", null),
                true,
                dumped::add);
    RestoreOutcome restore =
        tools.restore(
            new RestoreRequest(endpoint(b(), dst), dump.dump().dir(), 2, true, false, "c1", null),
            restored::add);

    assertThat(restore.preparation()).isEqualTo(RestorePreparation.EMPTY);
    assertThat(restore.tablesRestored()).isEqualTo(dump.manifest().tables().size());
    assertSameContent(a(), src, b(), dst);
    assertThat(fingerprint(a(), src)).as("source unchanged").isEqualTo(before);
    // Sequences are ahead of the data: every table with a serial or identity key takes an insert.
    insertIntoEveryKeyedTable(b(), dst);
    assertThat(dump.dump().bytes()).isPositive();
    assertThat(dump.manifest().tables())
        .extracting(t -> t.table())
        .contains("public.accounts", "public.\"Order\"", "\"Sales\".\"LineItems\"");
    assertThat(Files.exists(dump.dump().dir().resolve(DumpManifest.FILE_NAME))).isTrue();
  }

  @Test
  void thePasswordNeverReachesArgvOrLogs() throws Exception {
    String src = newDatabase(a(), "pw_src");
    a().executeResource(src, "/datasets/shapes.sql");
    String dst = newDatabase(b(), "pw_dst");
    RecordingRunner runner = new RecordingRunner();
    PgTools tools = tools(a(), runner);

    try (LogCapture logs = new LogCapture()) {
      SnapshotDump.Outcome dump =
          new SnapshotDump(tools)
              .run(
                  new DumpRequest(endpoint(a(), src), tmp.resolve("dump"), 2, 0, null, "pw", null),
                  false,
                  p -> {});
      tools.restore(
          new RestoreRequest(endpoint(b(), dst), dump.dump().dir(), 2, null, null, "pw", null),
          p -> {});

      List<String> secrets = List.of(a().password(), b().password());
      assertThat(runner.argvs()).isNotEmpty();
      assertThat(runner.argvs())
          .anySatisfy(argv -> assertThat(argv.get(0)).endsWith("pg_dump"))
          .anySatisfy(argv -> assertThat(argv.get(0)).endsWith("pg_restore"));
      for (List<String> argv : runner.argvs()) {
        for (String secret : secrets) {
          assertThat(String.join(" ", argv)).doesNotContain(secret);
        }
      }
      for (CommandSpec spec : runner.specs) {
        assertThat(spec.env()).doesNotContainKey("PGPASSWORD");
        for (String secret : secrets) {
          assertThat(spec.env().values()).noneMatch(v -> v.contains(secret));
          assertThat(spec.toString()).doesNotContain(secret);
        }
      }
      assertThat(runner.specs)
          .filteredOn(s -> s.argv().get(0).endsWith("pg_dump") && s.argv().size() > 2)
          .singleElement()
          .satisfies(s -> assertThat(s.env()).containsKey("PGPASSFILE"));
      assertThat(logs.messages()).isNotEmpty();
      for (String message : logs.messages()) {
        for (String secret : secrets) {
          assertThat(message).doesNotContain(secret);
        }
      }
      String manifest = Files.readString(dump.manifestFile());
      for (String secret : secrets) {
        assertThat(manifest).doesNotContain(secret);
      }
    }
    // The temporary pgpass files the tools were given are gone. (Asked of these files, not of a
    // listing of /tmp, where any other process may be writing pgpass files at the same time.)
    List<Path> used =
        runner.specs.stream()
            .map(spec -> spec.env().get("PGPASSFILE"))
            .filter(java.util.Objects::nonNull)
            .map(Path::of)
            .toList();
    assertThat(used).isNotEmpty().allSatisfy(f -> assertThat(f).doesNotExist());
  }

  @Test
  void aDumpDirectoryWithForeignFilesIsRefused() throws Exception {
    Path dir = tmp.resolve("notadump");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("important.txt"), "keep me");
    String src = newDatabase(a(), "foreign");
    Endpoint e = endpoint(a(), src);

    assertThatThrownBy(
            () ->
                tools(a(), new CommandRunner())
                    .dump(new DumpRequest(e, dir, 1, 0, null, "x", null), p -> {}))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.getType()).isEqualTo("PreconditionFailed"))
        .hasMessageContaining("important.txt");
    assertThat(Files.readString(dir.resolve("important.txt"))).isEqualTo("keep me");
  }

  @Test
  void anEarlierDumpAttemptIsReplaced() throws Exception {
    String src = newDatabase(a(), "again");
    a().execute(
            src,
            "CREATE TABLE t (x int)",
            "INSERT INTO t VALUES (1), (2)",
            "SELECT lo_from_bytea(0, 'blob'::bytea)");
    PgTools tools = tools(a(), new CommandRunner());
    Path dir = tmp.resolve("again");
    DumpRequest req = new DumpRequest(endpoint(a(), src), dir, 1, 0, null, "x", null);

    tools.dump(req, p -> {});
    a().execute(src, "INSERT INTO t VALUES (3)");
    DumpOutcome second = tools.dump(req, p -> {});

    String dst = newDatabase(b(), "again_dst");
    tools.restore(
        new RestoreRequest(endpoint(b(), dst), second.dir(), 1, null, null, "x", null), null);
    assertThat(b().queryColumn(dst, "SELECT x FROM t ORDER BY x")).containsExactly("1", "2", "3");
    assertThat(
            b().queryColumn(
                    dst, "SELECT convert_from(lo_get(oid), 'UTF8') FROM pg_largeobject_metadata"))
        .containsExactly("blob");
  }

  @Test
  void aWrongPasswordIsAPreconditionFailure() {
    String src = newDatabase(a(), "wrongpw");
    Endpoint e = endpoint(a(), src);
    PgTools tools =
        new PgTools(
            new CommandRunner(),
            a().binDir(),
            ref -> "not-the-password",
            System::getenv,
            java.time.Duration.ofSeconds(1));

    assertThatThrownBy(
            () -> tools.dump(new DumpRequest(e, tmp.resolve("pw"), 1, 0, null, "x", null), null))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.getType()).isEqualTo("PreconditionFailed"))
        .hasMessageContaining("password authentication failed")
        .hasMessageNotContaining("not-the-password");
  }
}
