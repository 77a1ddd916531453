package io.signalbox.activities.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.core.ApprovalRecord;
import io.signalbox.workflows.core.EvidenceActivities.EvidenceInput;
import io.signalbox.workflows.core.EvidenceActivities.EvidenceRef;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.StepRecord;
import io.signalbox.workflows.core.StepState;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The evidence store against a real PostgreSQL server: one fresh database per test. */
class EvidenceActivitiesImplTest {

  @RegisterExtension static PostgresExtension pg = new PostgresExtension();

  private static final AtomicInteger DATABASES = new AtomicInteger();

  @TempDir Path root;

  private PostgresServer server;
  private String db;
  private PGSimpleDataSource dataSource;
  private Path dir;
  private EvidenceActivitiesImpl evidence;
  private EvidenceStore store;

  @BeforeEach
  void setUp() throws IOException {
    server = pg.server(0);
    db = "evidence_" + DATABASES.incrementAndGet();
    server.createDatabase(db);
    dataSource = dataSource(server, db);
    assertThat(EvidenceSchema.migrate(dataSource)).isEqualTo(3);
    dir = Files.createDirectories(root.resolve("evidence"));
    evidence = new EvidenceActivitiesImpl(dataSource, dir);
    store = new EvidenceStore(dataSource);
  }

  static PGSimpleDataSource dataSource(PostgresServer server, String db) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(server.jdbcUrl(db));
    ds.setUser(server.superuser());
    ds.setPassword(server.password());
    return ds;
  }

  @Test
  void recordsACompletedRunInTheDatabaseAndAsFiles() throws IOException {
    RunbookResult result = completed();
    EvidenceRef ref =
        evidence.record(
            new EvidenceInput(
                "gitea-db-migration-2026-03-26",
                "run-1",
                "2026-03-26T10:00:00Z",
                "2026-03-26T10:04:05.500Z",
                result));

    assertThat(ref.evidenceId()).isEqualTo("gitea-db-migration-2026-03-26/run-1");
    List<List<String>> rows =
        server.query(
            db,
            "SELECT evidence_id, workflow_id, run_id, runbook, outcome, requested_by,"
                + " to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS'),"
                + " to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS'),"
                + " failure_type, dry_run, recorded_at IS NOT NULL,"
                + " json->'result'->>'outcome', jsonb_typeof(json)"
                + " FROM signalbox_evidence");
    assertThat(rows)
        .containsExactly(
            List.of(
                    "gitea-db-migration-2026-03-26/run-1",
                    "gitea-db-migration-2026-03-26",
                    "run-1",
                    "GiteaDbMigration",
                    "COMPLETED",
                    "alice",
                    "2026-03-26T10:00:00.000",
                    "2026-03-26T10:04:05.500",
                    "",
                    "f",
                    "t",
                    "COMPLETED",
                    "object")
                .stream()
                .map(v -> v.isEmpty() ? null : v)
                .toList());

    EvidenceStore.EvidenceRecord stored = store.findById(ref.evidenceId()).orElseThrow();
    // The JSON round-trips: the stored result maps back onto exactly what was recorded.
    assertThat(Json.mapper().treeToValue(stored.json().get("result"), RunbookResult.class))
        .isEqualTo(result);
    assertThat(stored.json().get("evidenceId").asText()).isEqualTo(ref.evidenceId());
    assertThat(stored.json().get("startedAt").asText()).isEqualTo("2026-03-26T10:00:00Z");

    String md = stored.markdown();
    assertThat(md)
        .contains("# GiteaDbMigration gitea-db-migration-2026-03-26: COMPLETED")
        .contains("| Duration | 4m 05s |")
        .contains("| Step | State | Started | Ended | Duration | Detail |")
        .contains(
            "| preflight | DONE | 2026-03-26T10:00:00Z | 2026-03-26T10:00:02Z | 2.0s |"
                + " source 16.4, target 17.2 |")
        .contains("| copy | DONE |")
        .contains("| Table | Source rows | Target rows | Source checksum | Target checksum | OK |")
        .contains("| public.issue | 120 | 120 | 9f2c | 9f2c | ok |")
        .contains("| public.\"User\" | 3 | 3 | 11aa | 11aa | ok |")
        .contains("2 tables, 0 mismatches.")
        .contains("- **Summary:** 2 tables match")
        .contains("| Gate | Decision | By | At | Comment | Refusal |")
        .contains(
            "| switch | REFUSED | alice | 2026-03-26T10:03:00Z |  | self-approval is not allowed |")
        .contains("| switch | APPROVED | bob | 2026-03-26T10:03:30Z | counts match |  |")
        .doesNotContain("## Failure");

    Path runDir = dir.resolve("gitea-db-migration-2026-03-26");
    assertThat(ref.jsonPath()).isEqualTo(runDir.resolve("run-1.json").toString());
    assertThat(ref.markdownPath()).isEqualTo(runDir.resolve("run-1.md").toString());
    assertThat(Files.readString(runDir.resolve("run-1.md"))).isEqualTo(md);
    assertThat(Json.mapper().readTree(Files.readString(runDir.resolve("run-1.json"))))
        .isEqualTo(stored.json());
    assertThat(names(runDir)).containsExactlyInAnyOrder("run-1.json", "run-1.md");
  }

  @Test
  void recordingTheSameRunAgainReplacesItsRowAndFiles() throws IOException {
    evidence.record(
        new EvidenceInput(
            "wf", "run-1", "2026-03-26T10:00:00Z", "2026-03-26T10:01:00Z", completed()));
    RunbookResult failed =
        new RunbookResult(
            "FAILED",
            "GiteaDbMigration",
            null,
            null,
            null,
            List.of(step("copy", StepState.FAILED, "pg_restore exited with 1")),
            List.of(),
            "StepFailed",
            "copy failed; the source was unfrozen",
            false);
    EvidenceRef ref =
        evidence.record(
            new EvidenceInput(
                "wf", "run-1", "2026-03-26T10:00:00Z", "2026-03-26T10:02:00Z", failed));

    assertThat(server.queryValue(db, "SELECT count(*) FROM signalbox_evidence")).isEqualTo("1");
    assertThat(
            server.queryValue(db, "SELECT outcome || ' ' || failure_type FROM signalbox_evidence"))
        .isEqualTo("FAILED StepFailed");
    String md = Files.readString(Path.of(ref.markdownPath()));
    assertThat(md)
        .contains("## Failure")
        .contains("**StepFailed**")
        .contains("> copy failed; the source was unfrozen")
        .doesNotContain("## Verification");
    assertThat(store.findById("wf/run-1").orElseThrow().markdown()).isEqualTo(md);
    // No temporary files are left behind by the atomic writes.
    assertThat(names(dir.resolve("wf"))).containsExactlyInAnyOrder("run-1.json", "run-1.md");
  }

  @Test
  void aReusedWorkflowIdKeepsEveryRunsRecordAndFiles() throws IOException {
    EvidenceRef first =
        evidence.record(
            new EvidenceInput(
                "reused", "run-a", "2026-03-26T10:00:00Z", "2026-03-26T10:01:00Z", completed()));
    RunbookResult failed =
        new RunbookResult(
            "FAILED",
            "GiteaDbMigration",
            null,
            null,
            null,
            List.of(),
            List.of(),
            "GateRejected",
            "rejected",
            false);
    EvidenceRef second =
        evidence.record(
            new EvidenceInput(
                "reused", "run-b", "2026-03-27T10:00:00Z", "2026-03-27T10:01:00Z", failed));

    assertThat(server.queryColumn(db, "SELECT run_id || ' ' || outcome FROM signalbox_evidence"))
        .containsExactlyInAnyOrder("run-a COMPLETED", "run-b FAILED");
    assertThat(first.markdownPath()).isNotEqualTo(second.markdownPath());
    assertThat(Files.readString(Path.of(first.markdownPath()))).doesNotContain("GateRejected");
    assertThat(Files.readString(Path.of(second.markdownPath()))).contains("GateRejected");
    assertThat(store.findRun("reused", "run-a").orElseThrow().summary().outcome())
        .isEqualTo("COMPLETED");
    assertThat(store.find("reused").orElseThrow().summary().runId()).isEqualTo("run-b");
  }

  @Test
  void runsWhoseEvidenceIdsCoincideKeepTheirOwnRecords() {
    // "a/b" + "c" and "a" + "b/c" both read "a/b/c": the key is the pair, not the joined id.
    evidence.record(
        new EvidenceInput("a/b", "c", "2026-03-26T10:00:00Z", "2026-03-26T10:01:00Z", completed()));
    evidence.record(
        new EvidenceInput(
            "a",
            "b/c",
            "2026-03-27T10:00:00Z",
            "2026-03-27T10:01:00Z",
            new RunbookResult(
                "FAILED",
                "GiteaDbMigration",
                null,
                null,
                null,
                List.of(),
                List.of(),
                "StepFailed",
                "x",
                false)));

    assertThat(server.queryValue(db, "SELECT count(*) FROM signalbox_evidence")).isEqualTo("2");
    assertThat(store.findRun("a/b", "c").orElseThrow().summary().outcome()).isEqualTo("COMPLETED");
    assertThat(store.findRun("a", "b/c").orElseThrow().summary().outcome()).isEqualTo("FAILED");
  }

  @Test
  void aWorkflowIdCanNeverEscapeTheDirectory() throws IOException {
    List<String> hostile =
        List.of("../../etc", "..", ".", "/etc/passwd", "a/../../b", "..\\..\\win", "");
    for (String workflowId : hostile) {
      if (workflowId.isEmpty()) {
        assertThatThrownBy(() -> evidence.record(input(workflowId, "run")))
            .isInstanceOf(ApplicationFailure.class);
        continue;
      }
      EvidenceRef ref = evidence.record(input(workflowId, "../../run"));
      for (String file : List.of(ref.jsonPath(), ref.markdownPath())) {
        Path p = Path.of(file);
        assertThat(p.normalize()).startsWith(dir);
        assertThat(p.getParent().getParent()).isEqualTo(dir);
        assertThat(p).exists();
      }
      assertThat(store.findById(workflowId + "/../../run")).isPresent();
    }
    // Everything is inside the directory, one folder per workflow id, nothing next to it.
    try (Stream<Path> entries = Files.list(root)) {
      assertThat(entries).containsExactly(dir);
    }
    assertThat(names(dir))
        .containsExactlyInAnyOrder(
            "..%2F..%2Fetc",
            "%2E%2E", "%2E", "%2Fetc%2Fpasswd", "a%2F..%2F..%2Fb", "..%5C..%5Cwin");
    assertThat(names(dir.resolve("..%2F..%2Fetc")))
        .containsExactlyInAnyOrder("..%2F..%2Frun.json", "..%2F..%2Frun.md");
  }

  @Test
  void aVeryLongWorkflowIdGetsAShortDistinctName() {
    String a = "w".repeat(600) + "a";
    String b = "w".repeat(600) + "b";
    Path pa = Path.of(evidence.record(input(a, "r")).jsonPath()).getParent();
    Path pb = Path.of(evidence.record(input(b, "r")).jsonPath()).getParent();
    assertThat(pa).isNotEqualTo(pb);
    assertThat(pa.getFileName().toString()).hasSizeLessThanOrEqualTo(200);
  }

  @Test
  void aPasswordStringIsRedactedEverywhere() throws IOException {
    ObjectNode verification = Json.mapper().createObjectNode();
    verification.put("password", "hunter2");
    verification.putObject("source").put("host", "db").putObject("password").put("env", "PGPW");
    verification.putArray("endpoints").addObject().put("Password", "hunter3");
    verification.put("conninfo", "host=db user=gitea password=hunter4 dbname=gitea");
    verification.put("url", "postgresql://gitea:hunter5@db:5432/gitea");
    RunbookResult result =
        new RunbookResult(
            "COMPLETED",
            "BackupVerification",
            null,
            verification,
            null,
            List.of(step("restore", StepState.DONE, "PGPASSWORD=hunter6 pg_restore -j 2")),
            List.of(),
            null,
            null,
            false);
    EvidenceRef ref = evidence.record(input("wf", "run", result));

    String json = server.queryValue(db, "SELECT json::text FROM signalbox_evidence");
    String md = server.queryValue(db, "SELECT markdown FROM signalbox_evidence");
    String jsonFile = Files.readString(Path.of(ref.jsonPath()), StandardCharsets.UTF_8);
    String mdFile = Files.readString(Path.of(ref.markdownPath()), StandardCharsets.UTF_8);
    for (String stored : List.of(json, md, jsonFile, mdFile)) {
      assertThat(stored)
          .doesNotContain("hunter2", "hunter3", "hunter4", "hunter5", "hunter6")
          .contains(EvidenceActivitiesImpl.REDACTED);
    }
    JsonNode v = store.findById("wf/run").orElseThrow().json().path("result").path("verification");
    assertThat(v.path("password").asText()).isEqualTo("[REDACTED]");
    assertThat(v.path("endpoints").path(0).path("Password").asText()).isEqualTo("[REDACTED]");
    // A reference is not a secret: it stays, so the evidence says where the password came from.
    assertThat(v.path("source").path("password").path("env").asText()).isEqualTo("PGPW");
    assertThat(v.path("conninfo").asText())
        .isEqualTo("host=db user=gitea password=[REDACTED] dbname=gitea");
    assertThat(v.path("url").asText()).isEqualTo("postgresql://gitea:[REDACTED]@db:5432/gitea");
  }

  @Test
  void aNulInTextDoesNotMakeTheEvidenceUnwritable() {
    RunbookResult result =
        new RunbookResult(
            "FAILED",
            "PostgresCopy",
            null,
            null,
            null,
            List.of(step("dump", StepState.FAILED, "stderr: bad\u0000byte")),
            List.of(),
            "StepFailed",
            "dump failed",
            false);
    evidence.record(input("wf", "run", result));
    assertThat(
            server.queryValue(
                db, "SELECT json->'result'->'steps'->0->>'detail' FROM signalbox_evidence"))
        .isEqualTo("stderr: bad\uFFFDbyte");
  }

  @Test
  void withoutADirectoryOnlyTheDatabaseIsWritten() {
    EvidenceRef ref = new EvidenceActivitiesImpl(dataSource, null).record(input("wf", "run"));
    assertThat(ref).isEqualTo(new EvidenceRef("wf/run", null, null));
    assertThat(store.findById("wf/run")).isPresent();
  }

  @Test
  void incompleteInputIsRefusedWithoutRetry() {
    assertThatThrownBy(
            () -> evidence.record(new EvidenceInput("wf", null, null, null, completed())))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("InvalidInput");
              assertThat(f.isNonRetryable()).isTrue();
            });
    assertThatThrownBy(() -> evidence.record(new EvidenceInput("wf", "run", null, null, null)))
        .isInstanceOf(ApplicationFailure.class);
  }

  @Test
  void unreadableTimesAreStoredAsNull() {
    evidence.record(new EvidenceInput("wf", "run", "yesterday", null, completed()));
    assertThat(
            server.queryValue(
                db,
                "SELECT (started_at IS NULL AND ended_at IS NULL)::text FROM signalbox_evidence"))
        .isEqualTo("true");
  }

  static List<String> names(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }

  static EvidenceInput input(String workflowId, String runId) {
    return input(workflowId, runId, completed());
  }

  static EvidenceInput input(String workflowId, String runId, RunbookResult result) {
    return new EvidenceInput(
        workflowId, runId, "2026-03-26T10:00:00Z", "2026-03-26T10:01:00Z", result);
  }

  static StepRecord step(String name, StepState state, String detail) {
    return new StepRecord(name, state, "2026-03-26T10:00:00Z", "2026-03-26T10:00:02Z", detail);
  }

  /** A completed migration with a verification table, a refused and an accepted approval. */
  static RunbookResult completed() {
    ObjectNode verification = Json.mapper().createObjectNode();
    verification.put("matches", true);
    verification.put("summary", "2 tables match");
    verification.put("checksums", true);
    var tables = verification.putArray("tables");
    tables
        .addObject()
        .put("table", "public.issue")
        .put("sourceRows", 120)
        .put("targetRows", 120)
        .put("sourceChecksum", "9f2c")
        .put("targetChecksum", "9f2c")
        .put("ok", true);
    tables
        .addObject()
        .put("table", "public.\"User\"")
        .put("sourceRows", 3)
        .put("targetRows", 3)
        .put("sourceChecksum", "11aa")
        .put("targetChecksum", "11aa")
        .put("ok", true);
    verification.putArray("sequenceProblems");
    ObjectNode plan = Json.mapper().createObjectNode().put("requestedBy", "alice");
    return new RunbookResult(
        "COMPLETED",
        "GiteaDbMigration",
        null,
        verification,
        plan,
        List.of(
            step("preflight", StepState.DONE, "source 16.4, target 17.2"),
            new StepRecord(
                "copy",
                StepState.DONE,
                "2026-03-26T10:00:02Z",
                "2026-03-26T10:03:00Z",
                "restored 2 tables")),
        List.of(
            new ApprovalRecord(
                "switch",
                ApprovalRecord.REFUSED,
                "alice",
                "2026-03-26T10:03:00Z",
                null,
                "self-approval is not allowed"),
            new ApprovalRecord(
                "switch",
                ApprovalRecord.APPROVED,
                "bob",
                "2026-03-26T10:03:30Z",
                "counts match",
                null)),
        null,
        null,
        false);
  }
}
