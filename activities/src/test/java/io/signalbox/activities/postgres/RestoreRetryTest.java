package io.signalbox.activities.postgres;

import static io.signalbox.activities.postgres.PgCopyAssertions.assertSameContent;
import static io.signalbox.activities.postgres.PgCopyAssertions.count;
import static io.signalbox.activities.postgres.PgCopyAssertions.endpoint;
import static io.signalbox.activities.postgres.PgCopyAssertions.fingerprint;
import static io.signalbox.activities.postgres.PgCopyAssertions.insertIntoEveryKeyedTable;
import static io.signalbox.activities.postgres.PgCopyAssertions.newDatabase;
import static io.signalbox.activities.postgres.PgCopyAssertions.tools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbox.activities.postgres.PgCopyAssertions.RecordingRunner;
import io.signalbox.activities.postgres.RestoreOutcome.RestorePreparation;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A restore killed mid-way and retried ends with an exact copy; a target that holds anything the
 * copy did not create is refused before anything is written.
 */
@Timeout(300)
class RestoreRetryTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  @TempDir static Path tmp;

  private static String src;
  private static Path dump;
  private static Map<String, String> sourceBefore;

  private static PostgresServer a() {
    return pg.server(0);
  }

  private static PostgresServer b() {
    return pg.server(1);
  }

  /** One dump for every test: the shapes plus a big table, so a restore takes a few seconds. */
  @BeforeAll
  static void dumpOnce() {
    src = newDatabase(a(), "retry_src");
    a().executeResource(src, "/datasets/shapes.sql");
    a().execute(
            src,
            "CREATE TABLE public.big (id bigserial PRIMARY KEY, v text NOT NULL)",
            "INSERT INTO public.big (v) SELECT md5(g::text) FROM generate_series(1, 1500000) g",
            "SELECT lo_from_bytea(0, 'a large object'::bytea)");
    sourceBefore = fingerprint(a(), src);
    dump =
        new SnapshotDump(tools(a(), new RecordingRunner()))
            .run(
                new DumpRequest(endpoint(a(), src), tmp.resolve("dump"), 2, 0, null, "r", null),
                false,
                p -> {})
            .dump()
            .dir();
  }

  @Test
  void aRestoreKilledMidwayAndRetriedIsAnExactCopy() throws Exception {
    String dst = newDatabase(b(), "retry_dst");
    RecordingRunner runner = new RecordingRunner();
    PgTools tools = tools(a(), runner);
    RuntimeException cancel = new IllegalStateException("heartbeat lost");
    RestoreRequest request =
        new RestoreRequest(endpoint(b(), dst), dump, 2, null, null, "copy-42", null);

    // Cancel once some tables are loaded and committed, while the big one still loads.
    assertThatThrownBy(
            () ->
                tools.restore(
                    request,
                    p -> {
                      if (p.tablesDone() >= 1 && p.tablesDone() < p.tablesTotal()) {
                        throw cancel;
                      }
                    }))
        .isSameAs(cancel);
    assertThat(runner.pids).isNotEmpty();
    for (long pid : runner.pids) {
      PgCopyAssertions.assertGone(pid);
    }
    // The attempt had written: tables exist, some with data, and the database carries its marker.
    assertThat(PgCopyAssertions.tables(b(), dst)).isNotEmpty();
    assertThat(PgCopyAssertions.tables(b(), dst))
        .anySatisfy(t -> assertThat(count(b(), dst, t)).isPositive());
    assertThat(marker(dst)).isEqualTo("signalbox-restore copy=copy-42 state=in-progress");
    assertNoRestoreSessions(dst);

    RestoreOutcome retried = tools.restore(request, p -> {});

    assertThat(retried.preparation()).isEqualTo(RestorePreparation.CLEANED_EARLIER_ATTEMPT);
    assertSameContent(a(), src, b(), dst);
    assertThat(count(b(), dst, "public.big")).isEqualTo(1_500_000);
    assertThat(
            b().queryColumn(
                    dst,
                    "SELECT convert_from(lo_get(oid), 'UTF8') FROM" + " pg_largeobject_metadata"))
        .containsExactly("a large object");
    assertThat(marker(dst)).isEqualTo("signalbox-restore copy=copy-42 state=done");
    // Extensions survive the clean (the dump's CREATE EXTENSION IF NOT EXISTS keeps them).
    assertThat(b().queryColumn(dst, "SELECT extname FROM pg_extension ORDER BY 1"))
        .contains("citext", "pg_trgm");
    insertIntoEveryKeyedTable(b(), dst);
    assertThat(fingerprint(a(), src)).as("source unchanged").isEqualTo(sourceBefore);
  }

  @Test
  void aDestroyedPgRestoreIsCleanedUpByTheRetry() throws Exception {
    String dst = newDatabase(b(), "destroyed_dst");
    PgTools tools = tools(a(), new RecordingRunner());
    RestoreRequest request =
        new RestoreRequest(endpoint(b(), dst), dump, 2, null, null, "copy-kill", null);

    // Kill pg_restore from outside (SIGKILL, as a dying worker would leave it) once data flows.
    assertThatThrownBy(
            () ->
                tools.restore(
                    request,
                    p -> {
                      if (p.tablesDone() >= 1) {
                        ProcessHandle.current()
                            .descendants()
                            .filter(h -> h.info().command().orElse("").endsWith("pg_restore"))
                            .forEach(ProcessHandle::destroyForcibly);
                      }
                    }))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.getType()).isEqualTo("Transient"));

    RestoreOutcome retried = tools.restore(request, null);

    assertThat(retried.preparation()).isEqualTo(RestorePreparation.CLEANED_EARLIER_ATTEMPT);
    assertSameContent(a(), src, b(), dst);
  }

  @Test
  void aRetryAfterAFinishedRestoreHasNothingToDo() {
    String dst = newDatabase(b(), "done_dst");
    PgTools tools = tools(a(), new RecordingRunner());
    RestoreRequest request =
        new RestoreRequest(endpoint(b(), dst), dump, 2, null, null, "copy-done", null);
    tools.restore(request, null);

    RestoreOutcome again = tools.restore(request, null);

    assertThat(again.preparation()).isEqualTo(RestorePreparation.ALREADY_RESTORED);
    assertThat(again.argv()).isEmpty();
    assertThat(count(b(), dst, "public.accounts")).isEqualTo(200);
  }

  @Test
  void aNonEmptyTargetWithoutTheMarkerIsRefusedBeforeAnythingIsWritten() {
    String dst = newDatabase(b(), "busy_dst");
    b().execute(dst, "CREATE TABLE keep (x int)", "INSERT INTO keep VALUES (1)");
    RecordingRunner runner = new RecordingRunner();
    PgTools tools = tools(a(), runner);

    assertThatThrownBy(
            () ->
                tools.restore(
                    new RestoreRequest(endpoint(b(), dst), dump, 2, null, null, "copy-9", null),
                    null))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("PreconditionFailed");
              assertThat(f.isNonRetryable()).isTrue();
            })
        .hasMessageContaining("not empty")
        .hasMessageContaining("table public.keep")
        .hasMessageContaining("allowNonEmpty");

    assertThat(PgCopyAssertions.tables(b(), dst)).containsExactly("public.keep");
    assertThat(b().queryColumn(dst, "SELECT x FROM keep")).containsExactly("1");
    assertThat(marker(dst)).isNull();
    assertThat(runner.argvs()).noneMatch(argv -> argv.contains("--exit-on-error"));
  }

  @Test
  void aTargetMarkedByAnotherCopyIsRefusedAndLeftAlone() {
    String dst = newDatabase(b(), "other_dst");
    b().execute(
            dst,
            "CREATE TABLE theirs (x int)",
            "COMMENT ON DATABASE " + dst + " IS 'signalbox-restore copy=other state=in-progress'");
    PgTools tools = tools(a(), new RecordingRunner());

    assertThatThrownBy(
            () ->
                tools.restore(
                    new RestoreRequest(endpoint(b(), dst), dump, 2, null, null, "mine", null),
                    null))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.getType()).isEqualTo("PreconditionFailed"))
        .hasMessageContaining("copy=other");

    assertThat(PgCopyAssertions.tables(b(), dst)).containsExactly("public.theirs");
    assertThat(marker(dst)).isEqualTo("signalbox-restore copy=other state=in-progress");
  }

  @Test
  void preinstalledExtensionsDoNotMakeATargetNonEmpty() {
    String dst = newDatabase(b(), "ext_dst");
    b().execute(dst, "CREATE EXTENSION citext");

    RestoreOutcome out =
        tools(a(), new RecordingRunner())
            .restore(
                new RestoreRequest(endpoint(b(), dst), dump, 2, null, null, "ext", null), null);

    assertThat(out.preparation()).isEqualTo(RestorePreparation.EMPTY);
    assertSameContent(a(), src, b(), dst);
  }

  @Test
  void allowNonEmptyRestoresOnTopWithoutCleaning() {
    String dst = newDatabase(b(), "allow_dst");
    b().execute(dst, "CREATE TABLE keep (x int)", "INSERT INTO keep VALUES (7)");

    RestoreOutcome out =
        tools(a(), new RecordingRunner())
            .restore(
                new RestoreRequest(
                    PgCopyAssertions.allowNonEmpty(endpoint(b(), dst)),
                    dump,
                    2,
                    null,
                    null,
                    "allow",
                    null),
                null);

    assertThat(out.preparation()).isEqualTo(RestorePreparation.NON_EMPTY_ALLOWED);
    assertThat(b().queryColumn(dst, "SELECT x FROM keep")).containsExactly("7");
    assertThat(count(b(), dst, "public.accounts")).isEqualTo(200);
  }

  private static String marker(String db) {
    return b().queryValue(
            "postgres",
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '"
                + db
                + "'");
  }

  /** pg_restore's processes and sessions are gone once the cancelled restore returned. */
  private static void assertNoRestoreSessions(String db) throws Exception {
    List<ProcessHandle> restores =
        ProcessHandle.current()
            .descendants()
            .filter(h -> h.info().command().orElse("").endsWith("pg_restore"))
            .toList();
    for (ProcessHandle h : restores) {
      PgCopyAssertions.assertGone(h.pid());
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    String sql =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '"
            + db
            + "' AND application_name LIKE 'signalbox-restore %'";
    while (System.nanoTime() < deadline && !b().queryValue("postgres", sql).equals("0")) {
      Thread.sleep(100);
    }
    assertThat(b().queryValue("postgres", sql)).isEqualTo("0");
  }
}
