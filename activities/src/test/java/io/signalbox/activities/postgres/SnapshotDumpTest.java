package io.signalbox.activities.postgres;

import static io.signalbox.activities.postgres.PgCopyAssertions.count;
import static io.signalbox.activities.postgres.PgCopyAssertions.endpoint;
import static io.signalbox.activities.postgres.PgCopyAssertions.fingerprint;
import static io.signalbox.activities.postgres.PgCopyAssertions.newDatabase;
import static io.signalbox.activities.postgres.PgCopyAssertions.tools;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbox.activities.command.CommandRunner;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.copy.TableStats;
import io.signalbox.workflows.copy.TableStatsResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link SnapshotDump}: counts and dump from one exported snapshot, and the manifest. */
@Timeout(300)
class SnapshotDumpTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  @TempDir Path tmp;

  private PostgresServer a() {
    return pg.server(0);
  }

  private PostgresServer b() {
    return pg.server(1);
  }

  @Test
  void manifestCountsAreTheSnapshotsNotTheLiveTables() {
    String src = newDatabase(a(), "live");
    a().executeResource(src, "/datasets/shapes.sql");
    PgTools tools = tools(a(), new CommandRunner());
    AtomicReference<String> exported = new AtomicReference<>();

    SnapshotDump.Outcome out =
        new SnapshotDump(tools, Duration.ofMillis(100))
            .afterExport(
                id -> {
                  exported.set(id);
                  // A second session writes after the export, before pg_dump starts: committed
                  // rows that neither the counts nor the dump may see.
                  a().execute(
                          src,
                          "INSERT INTO public.accounts (name, created_at)"
                              + " SELECT 'late ' || i, 1 FROM generate_series(1, 25) i",
                          "INSERT INTO public.events (account_id, kind, happened_at)"
                              + " SELECT 1, 'late', 1 FROM generate_series(1, 40) i",
                          "DELETE FROM public.\"user\" WHERE \"user\" = 'bob'");
                })
            .run(
                new DumpRequest(endpoint(a(), src), tmp.resolve("d"), 2, 0, null, "snap", null),
                true,
                p -> {});
    Map<String, Long> counts =
        out.manifest().tables().stream()
            .collect(Collectors.toMap(TableStats::table, TableStats::rows));

    assertThat(out.manifest().snapshotId()).isEqualTo(exported.get());
    // accounts' trigger wrote 25 more audit rows, after the snapshot too.
    assertThat(count(a(), src, "public.accounts")).isEqualTo(225);
    assertThat(count(a(), src, "public.audit_log")).isEqualTo(225);
    assertThat(count(a(), src, "public.events")).isEqualTo(1040);
    assertThat(count(a(), src, "public.\"user\"")).isEqualTo(2);
    assertThat(counts)
        .containsEntry("public.accounts", 200L)
        .containsEntry("public.audit_log", 200L)
        .containsEntry("public.events", 1000L)
        .containsEntry("public.\"user\"", 3L)
        .containsEntry("public.\"Order\"", 150L)
        .containsEntry("public.measurements_2025", 181L)
        .containsEntry("public.empty_things", 0L)
        .containsEntry("\"Sales\".\"LineItems\"", 300L);

    // What was dumped is the same snapshot: restored, it has exactly the manifest's numbers,
    // checksums included: the source's from the dump's data files, the target's from its own
    // COPY text, read independently by the table scanner.
    String dst = newDatabase(b(), "live_dst");
    tools.restore(
        new RestoreRequest(endpoint(b(), dst), out.dump().dir(), 2, null, null, "snap", null),
        p -> {});
    assertThat(count(b(), dst, "public.accounts")).isEqualTo(200);
    assertThat(count(b(), dst, "public.\"user\"")).isEqualTo(3);
    TableStatsResult target;
    try {
      target =
          new TableScanner(() -> b().connect(dst), 2)
              .scan(t -> TableScanner.Check.COPY_TEXT, null, null, (d, n) -> {});
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    assertThat(out.manifest().tables())
        .allSatisfy(t -> assertThat(t.checksum()).startsWith(CopyTextChecksum.PREFIX));
    assertThat(TableStatsResult.compare(out.manifest().tableStats(), target)).isEmpty();
  }

  @Test
  void theManifestDescribesTheDump() throws Exception {
    String src = newDatabase(a(), "manifest");
    a().executeResource(src, "/datasets/shapes.sql");
    PgTools tools = tools(a(), new CommandRunner());

    SnapshotDump.Outcome out =
        new SnapshotDump(tools)
            .run(
                new DumpRequest(endpoint(a(), src), tmp.resolve("m"), 2, 0, null, "copy-7", null),
                false,
                p -> {});
    DumpManifest m = out.manifest();

    assertThat(out.manifestFile()).isEqualTo(out.dump().dir().resolve("manifest.json"));
    assertThat(SnapshotDump.readManifest(out.dump().dir())).isEqualTo(m);
    assertThat(m.formatVersion()).isEqualTo(DumpManifest.FORMAT_VERSION);
    assertThat(m.copyId()).isEqualTo("copy-7");
    assertThat(m.source())
        .isEqualTo(new DumpManifest.Source(a().host(), a().port(), src, a().superuser()));
    assertThat(m.serverVersionNum() / 10000).isEqualTo(tools.locate().major());
    assertThat(m.serverVersion()).isNotBlank();
    assertThat(m.pgDumpVersion()).startsWith("pg_dump (PostgreSQL)");
    assertThat(m.snapshotId()).matches("[0-9A-F]+-[0-9A-F]+-\\d+");
    assertThat(m.snapshotTime()).isNotBlank();
    assertThat(m.format()).isEqualTo("directory");
    assertThat(m.jobs()).isEqualTo(2);
    assertThat(m.compression()).isZero();
    assertThat(m.checksums()).isFalse();
    assertThat(m.tables()).allSatisfy(t -> assertThat(t.checksum()).isNull());
    assertThat(m.totalRows()).isEqualTo(200 + 200 + 1000 + 150 + 3 + 365 + 0 + 300);
    assertThat(m.sequences()).extracting(s -> s.name()).contains("public.invoice_no");
    assertThat(m.inventory().count("table")).isPositive();
    assertThat(m.inventory().count("function")).isPositive();
    assertThat(m.databaseBytes()).isPositive();
    assertThat(m.dumpBytes()).isEqualTo(out.dump().bytes()).isPositive();
    String json = Files.readString(out.manifestFile());
    assertThat(json).doesNotContain(a().password()).doesNotContain("password");
  }

  @Test
  void theSourceIsIdenticalBeforeAndAfter() {
    String src = newDatabase(a(), "same");
    a().executeResource(src, "/datasets/shapes.sql");
    Map<String, String> before = fingerprint(a(), src);

    new SnapshotDump(tools(a(), new CommandRunner()))
        .run(
            new DumpRequest(endpoint(a(), src), tmp.resolve("s"), 2, 0, null, "same", null),
            true,
            p -> {});

    assertThat(fingerprint(a(), src)).isEqualTo(before);
  }

  @Test
  void aCancelledDumpKillsPgDumpAndEndsTheSnapshot() {
    String src = newDatabase(a(), "cancel");
    a().execute(
            src,
            "CREATE TABLE big AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 1500000)"
                + " g");
    Map<String, String> before = fingerprint(a(), src);
    RuntimeException cancel = new IllegalStateException("activity cancelled");

    assertThatThrownBy(
            () ->
                new SnapshotDump(tools(a(), new CommandRunner()), Duration.ofMillis(50))
                    .run(
                        new DumpRequest(
                            endpoint(a(), src), tmp.resolve("c"), 1, 0, null, "cancel", null),
                        true,
                        p -> {
                          throw cancel;
                        }))
        .isSameAs(cancel);

    assertThat(Files.exists(tmp.resolve("c").resolve("manifest.json"))).isFalse();
    // Neither pg_dump's nor the snapshot's sessions are left on the source.
    awaitNoSessions(a(), src);
    assertThat(fingerprint(a(), src)).isEqualTo(before);
  }

  @Test
  void sameInputWithSameSourceGivesSameCountsAndChecksums() {
    String src = newDatabase(a(), "twice");
    a().executeResource(src, "/datasets/shapes.sql");
    PgTools tools = tools(a(), new CommandRunner());
    List<TableStats> first =
        new SnapshotDump(tools)
            .run(
                new DumpRequest(endpoint(a(), src), tmp.resolve("t"), 2, 0, null, "t", null),
                true,
                null)
            .manifest()
            .tables();
    List<TableStats> second =
        new SnapshotDump(tools)
            .run(
                new DumpRequest(endpoint(a(), src), tmp.resolve("t"), 2, 0, null, "t", null),
                true,
                null)
            .manifest()
            .tables();

    assertThat(second).isEqualTo(first);
    assertThat(first).allSatisfy(t -> assertThat(t.checksum()).isNotNull());
  }

  private static void awaitNoSessions(PostgresServer server, String db) {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    String sql =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = '"
            + db
            + "' AND pid <> pg_backend_pid()";
    while (System.nanoTime() < deadline) {
      if (server.queryValue("postgres", sql).equals("0")) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    assertThat(server.queryValue("postgres", sql)).as("sessions left on %s", db).isEqualTo("0");
  }
}
