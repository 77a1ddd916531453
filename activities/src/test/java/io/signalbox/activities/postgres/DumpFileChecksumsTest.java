package io.signalbox.activities.postgres;

import static io.signalbox.activities.postgres.PgCopyAssertions.endpoint;
import static io.signalbox.activities.postgres.PgCopyAssertions.newDatabase;
import static io.signalbox.activities.postgres.PgCopyAssertions.tools;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.activities.command.CommandRunner;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.copy.TableStats;
import io.signalbox.workflows.copy.TableStatsResult;
import io.signalbox.workflows.copy.TableStatsResult.TableMismatch;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The source's checksums from the dump's data files ({@link DumpDataChecksums}) agree with the
 * target's from its COPY text ({@link TableScanner.Check#COPY_TEXT}) for every common type,
 * whatever the two databases' TimeZone and bytea_output say, and a changed value, a missing row and
 * an extra row are each named.
 */
@Timeout(300)
class DumpFileChecksumsTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  @TempDir Path tmp;

  @Test
  void fileChecksumsAgreeWithTheTargetsAndNameEachDifference() throws Exception {
    String src = newDatabase(pg.server(0), "files_src");
    // Output settings that differ between the two databases: the dump pins its own.
    pg.server(0)
        .execute(
            "postgres",
            "ALTER DATABASE " + src + " SET timezone = 'America/St_Johns'",
            "ALTER DATABASE " + src + " SET bytea_output = 'escape'",
            "ALTER DATABASE " + src + " SET extra_float_digits = -3",
            "ALTER DATABASE " + src + " SET IntervalStyle = 'iso_8601'");
    pg.server(0).executeResource(src, "/datasets/every_type.sql");
    PgTools tools = tools(pg.server(0), new CommandRunner());

    SnapshotDump.Outcome out =
        new SnapshotDump(tools)
            .run(
                new DumpRequest(
                    endpoint(pg.server(0), src), tmp.resolve("d"), 2, 0, null, "f", null),
                true,
                p -> {});
    DumpManifest m = out.manifest();
    assertThat(m.checksums()).isTrue();
    assertThat(m.tables())
        .extracting(TableStats::table)
        .containsExactly(
            "public.\"Mixed Case\"", "public.empty", "public.every_type", "public.no_columns");
    assertThat(m.tables())
        .allSatisfy(t -> assertThat(t.checksum()).startsWith(CopyTextChecksum.PREFIX));
    assertThat(rows(m))
        .containsEntry("public.every_type", 303L)
        .containsEntry("public.no_columns", 4L);

    PostgresServer b = pg.server(1);
    String dst = newDatabase(b, "files_dst");
    b.execute(
        "postgres",
        "ALTER DATABASE " + dst + " SET timezone = 'Asia/Kathmandu'",
        "ALTER DATABASE " + dst + " SET DateStyle = 'SQL, DMY'",
        "ALTER DATABASE " + dst + " SET extra_float_digits = 0");
    tools.restore(
        new RestoreRequest(endpoint(b, dst), out.dump().dir(), 2, null, null, "f", null), p -> {});

    assertThat(TableStatsResult.compare(m.tableStats(), copyText(b, dst))).isEmpty();

    b.execute(
        dst,
        "UPDATE public.every_type SET jb = jb || '{\"z\": 1}' WHERE id = 150",
        "DELETE FROM public.\"Mixed Case\" WHERE \"Key\" = 7",
        "INSERT INTO public.no_columns SELECT");
    assertThat(TableStatsResult.compare(m.tableStats(), copyText(b, dst)))
        .extracting(TableMismatch::table, TableMismatch::problem)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("public.every_type", "content checksum differs"),
            org.assertj.core.groups.Tuple.tuple("public.\"Mixed Case\"", "row count 50 != 49"),
            org.assertj.core.groups.Tuple.tuple("public.no_columns", "row count 4 != 5"));

    // The same number of rows, one swapped for another: only the checksum sees it.
    b.execute(
        dst,
        "INSERT INTO public.\"Mixed Case\" VALUES (7, 'row 7 ')",
        "DELETE FROM public.no_columns WHERE ctid = (SELECT min(ctid) FROM public.no_columns)");
    assertThat(TableStatsResult.compare(m.tableStats(), copyText(b, dst)))
        .extracting(TableMismatch::table)
        .containsExactlyInAnyOrder("public.every_type", "public.\"Mixed Case\"");
  }

  @Test
  void aGzipDumpIsChecksummedFromItsUnzippedRows() throws Exception {
    String src = newDatabase(pg.server(0), "gzip_src");
    pg.server(0).executeResource(src, "/datasets/every_type.sql");
    PgTools tools = tools(pg.server(0), new CommandRunner());

    SnapshotDump.Outcome out =
        new SnapshotDump(tools)
            .run(
                new DumpRequest(
                    endpoint(pg.server(0), src), tmp.resolve("gz"), 2, 5, null, "gz", null),
                true,
                p -> {});
    assertThat(tmp.resolve("gz")).isDirectoryContaining("glob:**.dat.gz");
    assertThat(out.manifest().tables())
        .allSatisfy(t -> assertThat(t.checksum()).startsWith(CopyTextChecksum.PREFIX));

    PostgresServer b = pg.server(1);
    String dst = newDatabase(b, "gzip_dst");
    tools.restore(
        new RestoreRequest(endpoint(b, dst), out.dump().dir(), 2, null, null, "gz", null), p -> {});
    assertThat(TableStatsResult.compare(out.manifest().tableStats(), copyText(b, dst))).isEmpty();
  }

  private static TableStatsResult copyText(PostgresServer server, String db) throws Exception {
    return new TableScanner(() -> server.connect(db), 2)
        .scan(t -> TableScanner.Check.COPY_TEXT, null, null, (d, n) -> {});
  }

  private static Map<String, Long> rows(DumpManifest m) {
    return m.tables().stream().collect(Collectors.toMap(TableStats::table, TableStats::rows));
  }
}
