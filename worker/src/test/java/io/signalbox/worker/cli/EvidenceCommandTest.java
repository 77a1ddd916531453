package io.signalbox.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceSchema;
import io.signalbox.activities.evidence.ReportStore;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.core.EvidenceActivities.EvidenceInput;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.StoredReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * {@code signalbox evidence <id> [--run RUN_ID]} on a workflow id that two runs used: the newest by
 * default, the other by its run id, from the database and from the files.
 */
class EvidenceCommandTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension();
  @TempDir static Path dir;
  private static String url;

  @BeforeAll
  static void twoRunsOfOneWorkflowId() {
    PostgresServer server = pg.server(0);
    server.createDatabase("cli_evidence");
    url = server.jdbcUrl("cli_evidence");
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    ds.setUser(server.superuser());
    ds.setPassword(server.password());
    EvidenceSchema.migrate(ds);
    EvidenceActivitiesImpl evidence = new EvidenceActivitiesImpl(ds, dir);
    evidence.record(input("run-old", "2026-03-26T10:00:00Z", "COMPLETED", null));
    evidence.record(input("run-new", "2026-03-27T10:00:00Z", "FAILED", "GateRejected"));
  }

  private static EvidenceInput input(String runId, String at, String outcome, String failure) {
    return new EvidenceInput(
        "reused-id",
        runId,
        at,
        at,
        new RunbookResult(
            outcome,
            "GiteaDbMigration",
            null,
            null,
            null,
            List.of(),
            List.of(),
            failure,
            failure == null ? null : "rejected at freeze",
            false));
  }

  private record Result(int code, String out, String err) {}

  private static Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = SignalboxCli.execute(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  private static String[] db(String... args) {
    PostgresServer server = pg.server(0);
    List<String> all =
        new java.util.ArrayList<>(
            List.of(
                "--db-url",
                url + "?password=" + server.password(),
                "--db-user",
                server.superuser()));
    all.addAll(0, List.of(args));
    return all.toArray(String[]::new);
  }

  @Test
  void theNewestRunIsShownAndTheOthersAreNamed() {
    Result r = cli(db("evidence", "reused-id", "--json"));

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"runId\" : \"run-new\"").contains("GateRejected");
    assertThat(r.err()).contains("run run-new of 2 runs of reused-id").contains("run-old");
  }

  @Test
  void anotherRunIsPickedByItsRunId() {
    Result r = cli(db("evidence", "reused-id", "--run", "run-old", "--json"));

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"runId\" : \"run-old\"").doesNotContain("GateRejected");

    Result missing = cli(db("evidence", "reused-id", "--run", "run-none"));
    assertThat(missing.code()).isEqualTo(CliException.NOT_FOUND);
    assertThat(missing.err()).contains("no evidence for run run-none of 'reused-id'");
  }

  @Test
  void fromTheFilesARunIsPickedByItsRunIdToo() {
    Result r =
        cli(
            "evidence",
            "reused-id",
            "--run",
            "run-old",
            "--json",
            "--evidence-dir",
            dir.toString());

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"runId\" : \"run-old\"");
    Result newer =
        cli("evidence", "reused-id", "--run", "run-new", "--evidence-dir", dir.toString());
    assertThat(newer.out()).contains("GateRejected");
  }

  @Test
  void theFullReportIsCheckedAgainAndAChangeSinceIsSaid() {
    PostgresServer server = pg.server(0);
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url);
    ds.setUser(server.superuser());
    ds.setPassword(server.password());
    ReportStore reports = new ReportStore(ds, null);
    List<CopyActivities.TableCheck> rows = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      rows.add(new CopyActivities.TableCheck("public.t" + i, 1L, 1L, "a", "a", true, null));
    }
    CopyActivities.VerificationReport whole =
        new CopyActivities.VerificationReport(
            true, "30 tables match", true, 30, 30, rows, List.of(), List.of());
    StoredReport ref = reports.put("wide-copy", "run-1", "verify-7", Json.tree(whole));
    new EvidenceActivitiesImpl(ds, null, reports)
        .record(
            new EvidenceInput(
                "wide-copy",
                "run-1",
                "2026-03-26T10:00:00Z",
                "2026-03-26T10:01:00Z",
                new RunbookResult(
                    "COMPLETED",
                    "PostgresCopy",
                    null,
                    Json.tree(whole.bounded(20, ref)),
                    null,
                    List.of(),
                    List.of(),
                    null,
                    "Completed.",
                    false)));

    Result ok = cli(db("evidence", "wide-copy"));
    assertThat(ok.code()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("SHA-256 matches: all 30 tables").contains("| public.t29 |");
    assertThat(ok.err()).doesNotContain("WARNING");
    assertThat(ok.out()).contains(ref.sha256());

    server.execute(
        "cli_evidence",
        "UPDATE signalbox_report SET json = jsonb_set(json, '{matches}', 'false')"
            + " WHERE workflow_id = 'wide-copy'");
    Result changed = cli(db("evidence", "wide-copy"));
    assertThat(changed.code()).isEqualTo(CliException.FAILED);
    assertThat(changed.err())
        .contains("WARNING: full report verify-7 of wide-copy/run-1: SHA-256 DOES NOT MATCH")
        .contains("the report was changed after the run");
  }
}
