package io.signalbox.activities.evidence;

import static io.signalbox.activities.evidence.EvidenceActivitiesImplTest.dataSource;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Flyway migrations of the evidence store. */
class EvidenceSchemaTest {

  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  @Test
  void migratingTwiceChangesNothingTheSecondTime() {
    PostgresServer server = pg.server(0);
    server.createDatabase("twice");
    DataSource ds = dataSource(server, "twice");

    assertThat(EvidenceSchema.migrate(ds)).isEqualTo(3);
    assertThat(EvidenceSchema.migrate(ds)).isZero();

    assertThat(
            server.queryColumn(
                "twice",
                "SELECT version || ' ' || success FROM signalbox_schema_history ORDER BY"
                    + " installed_rank"))
        .containsExactly("1 true", "2 true", "3 true");
    assertThat(
            server.queryValue(
                "twice",
                "SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_constraint c"
                    + " CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)"
                    + " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
                    + " WHERE c.conname = 'signalbox_report_pkey'"))
        .isEqualTo("workflow_id,run_id,name");
    assertThat(
            server.queryColumn(
                "twice",
                "SELECT column_name FROM information_schema.columns"
                    + " WHERE table_name = 'signalbox_evidence' ORDER BY ordinal_position"))
        .containsExactly(
            "evidence_id",
            "workflow_id",
            "run_id",
            "runbook",
            "outcome",
            "requested_by",
            "started_at",
            "ended_at",
            "failure_type",
            "dry_run",
            "json",
            "markdown",
            "recorded_at");
    assertThat(
            server.queryValue(
                "twice",
                "SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_constraint c"
                    + " CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)"
                    + " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
                    + " WHERE c.conname = 'signalbox_evidence_pkey'"))
        .isEqualTo("workflow_id,run_id");
  }

  @Test
  void aStoreOnV1KeepsItsRecordsWhenV2KeysThemByRunAndV3AddsReports() {
    PostgresServer server = pg.server(0);
    server.createDatabase("upgrade");
    DataSource ds = dataSource(server, "upgrade");
    Flyway.configure()
        .dataSource(ds)
        .table(EvidenceSchema.HISTORY_TABLE)
        .locations(EvidenceSchema.LOCATION)
        .target("1")
        .load()
        .migrate();
    server.execute(
        "upgrade",
        "INSERT INTO signalbox_evidence (evidence_id, workflow_id, run_id, json, markdown)"
            + " VALUES ('wf/run-1', 'wf', 'run-1', '{}', '# run 1')");

    assertThat(EvidenceSchema.migrate(ds)).isEqualTo(2);
    new EvidenceActivitiesImpl(ds, null).record(EvidenceActivitiesImplTest.input("wf", "run-2"));

    assertThat(
            server.queryColumn(
                "upgrade", "SELECT run_id || ' ' || markdown FROM signalbox_evidence ORDER BY 1"))
        .hasSize(2)
        .first()
        .isEqualTo("run-1 # run 1");
  }

  @Test
  void aDatabaseThatAlreadyHoldsOtherTablesGetsTheSchemaToo() {
    PostgresServer server = pg.server(0);
    server.createDatabase("shared");
    server.execute("shared", "CREATE TABLE someone_elses (id int)");
    DataSource ds = dataSource(server, "shared");

    assertThat(EvidenceSchema.migrate(ds)).isEqualTo(3);
    assertThat(EvidenceSchema.migrate(ds)).isZero();
    assertThat(server.queryValue("shared", "SELECT count(*) FROM signalbox_evidence"))
        .isEqualTo("0");
  }
}
