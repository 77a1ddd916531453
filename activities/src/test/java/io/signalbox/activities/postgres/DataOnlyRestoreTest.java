package io.signalbox.activities.postgres;

import static io.signalbox.activities.postgres.PgCopyAssertions.assertSameContent;
import static io.signalbox.activities.postgres.PgCopyAssertions.endpoint;
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
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pg_restore --data-only} into the schema an app's migrations made: rows land in foreign-key
 * order, the version table's rows are replaced, foreign rows are refused, and a retry or a later
 * copy replaces what the earlier one loaded.
 */
@Timeout(120)
class DataOnlyRestoreTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  @TempDir static Path tmp;

  private static String src;
  private static Path dump;

  private static PostgresServer a() {
    return pg.server(0);
  }

  private static PostgresServer b() {
    return pg.server(1);
  }

  @BeforeAll
  static void dumpOnce() {
    src = newDatabase(a(), "dataonly_src");
    a().executeResource(src, "/datasets/state_hub_schema.sql");
    a().executeResource(src, "/datasets/state_hub_data.sql");
    dump =
        new SnapshotDump(tools(a(), new RecordingRunner()))
            .run(
                new DumpRequest(endpoint(a(), src), tmp.resolve("dump"), 2, 0, null, "d", null),
                false,
                p -> {})
            .dump()
            .dir();
  }

  private static String premade() {
    String dst = newDatabase(b(), "dataonly_dst");
    b().executeResource(dst, "/datasets/state_hub_schema.sql");
    return dst;
  }

  private static RestoreRequest dataOnly(String dst, String copyId, String replaces) {
    return new RestoreRequest(
        endpoint(b(), dst),
        dump,
        2,
        null,
        null,
        copyId,
        null,
        true,
        List.of("public.alembic_version"),
        replaces,
        null);
  }

  @Test
  void rowsLoadIntoThePremadeSchemaParentsFirst() {
    String dst = premade();
    RestoreOutcome r =
        tools(a(), new RecordingRunner()).restore(dataOnly(dst, "c1", null), p -> {});
    assertThat(r.preparation()).isEqualTo(RestorePreparation.EMPTY);
    assertThat(r.argv()).contains("--data-only", "--jobs=1");
    assertSameContent(a(), src, b(), dst);
    // Sequences came along: the next insert does not collide.
    b().execute(dst, "INSERT INTO public.topics (name) VALUES ('new')");
  }

  @Test
  void rowsNobodySaidMayGoAreRefusedBeforeAnythingIsWritten() {
    String dst = premade();
    b().execute(dst, "INSERT INTO public.topics (name) VALUES ('made by hand')");
    assertThatThrownBy(
            () -> tools(a(), new RecordingRunner()).restore(dataOnly(dst, "c2", null), p -> {}))
        .isInstanceOf(ApplicationFailure.class)
        .hasMessageContaining("public.topics")
        .hasMessageContaining("Nothing was written");
    assertThat(b().queryValue(dst, "SELECT count(*) FROM public.topics")).isEqualTo("1");
  }

  @Test
  void aRetryAndALaterCopyReplaceWhatTheEarlierOneLoaded() {
    String dst = premade();
    PgTools tools = tools(a(), new RecordingRunner());
    tools.restore(dataOnly(dst, "rehearsal", null), p -> {});
    // An interrupted later attempt: marked as its own, some rows in.
    b().execute(
            dst,
            "COMMENT ON DATABASE " + dst + " IS 'signalbox-restore copy=final state=in-progress'");
    RestoreOutcome retried = tools.restore(dataOnly(dst, "final", null), p -> {});
    assertThat(retried.preparation()).isEqualTo(RestorePreparation.CLEANED_EARLIER_ATTEMPT);
    assertSameContent(a(), src, b(), dst);

    // A later copy that replaces "final" (as the final copy replaces the rehearsal).
    a().execute(src, "INSERT INTO public.topics (name) VALUES ('written later')");
    Path second = tmp.resolve("dump2");
    new SnapshotDump(tools(a(), new RecordingRunner()))
        .run(new DumpRequest(endpoint(a(), src), second, 2, 0, null, "d2", null), false, p -> {});
    RestoreOutcome replaced =
        tools.restore(
            new RestoreRequest(
                endpoint(b(), dst),
                second,
                2,
                null,
                null,
                "final-2",
                null,
                true,
                List.of("public.alembic_version"),
                "final",
                null),
            p -> {});
    assertThat(replaced.preparation()).isEqualTo(RestorePreparation.CLEANED_EARLIER_ATTEMPT);
    assertSameContent(a(), src, b(), dst);
    a().execute(src, "DELETE FROM public.topics WHERE name = 'written later'");
  }
}
