package io.signalbox.activities.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.SnapshotDump;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.backup.BackupActivities;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup activities against a real PostgreSQL server, real dumps and the real pg_amcheck, run
 * through Temporal's activity test environment as a worker runs them.
 */
class BackupActivitiesImplTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(1);
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();

  @TempDir Path work;
  private Path dumps;
  private TestActivityEnvironment env;
  private BackupActivities backup;
  private CopyActivitiesImpl copy;

  private static PostgresServer server() {
    return pg.server(0);
  }

  @BeforeEach
  void setUp() {
    dumps = work.resolve("dumps");
    SecretResolver secrets = new SecretResolver(null, PASSWORDS::get);
    CommandRunner runner = new CommandRunner();
    PgTools tools = new PgTools(runner, server().binDir(), secrets::resolve);
    PgConnector connector = new PgConnector(secrets);
    copy = new CopyActivitiesImpl(tools, connector, dumps, null);
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new BackupActivitiesImpl(tools, connector, runner, dumps, "signalbox-host-a"));
    backup = env.newActivityStub(BackupActivities.class);
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private static Endpoint endpoint(String db) {
    return endpoint(db, server().superuser(), server().password());
  }

  private static Endpoint endpoint(String db, String user, String password) {
    String ref = "PW_" + user;
    PASSWORDS.put(ref, password);
    return new Endpoint(
        server().host(),
        server().port(),
        db,
        user,
        new SecretRef(ref, null, null),
        "disable",
        null);
  }

  private static String scratchName() {
    return "signalbox_verify_" + String.format("%012x", NEXT.incrementAndGet() + 0xabc000L);
  }

  private static boolean databaseExists(String name) {
    return !server()
        .queryColumn("postgres", "SELECT 1 FROM pg_database WHERE datname = '" + name + "'")
        .isEmpty();
  }

  private static ApplicationFailure failure(Runnable call) {
    ActivityFailure f = catchThrowableOfType(ActivityFailure.class, call::run);
    assertThat(f).as("the activity must fail").isNotNull();
    assertThat(f.getCause()).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) f.getCause();
  }

  private Path dump(String db) {
    CopyActivities.DumpResult d =
        copy.dump(
            new CopyActivities.DumpRequest(endpoint(db), "copy-" + db, 2, null, true, 0, "run"));
    return Path.of(d.dumpPath());
  }

  private static String sourceDatabase() {
    String db = "src_" + NEXT.incrementAndGet();
    server().createDatabase(db);
    server().executeResource(db, "/datasets/shapes.sql");
    return db;
  }

  // ------------------------------------------------------------------ scratch database

  @Test
  void theScratchDatabaseIsCreatedOnceAndDroppedOnceWithItsSessions() throws Exception {
    String name = scratchName();
    BackupActivities.ScratchRequest request =
        new BackupActivities.ScratchRequest(endpoint("postgres"), name, null);
    assertThat(backup.createScratch(request).changed()).isTrue();
    assertThat(backup.createScratch(request).changed()).as("a retry").isFalse();
    assertThat(databaseExists(name)).isTrue();
    try (Connection open = server().connect(name)) {
      assertThat(open.isValid(1)).isTrue();
      assertThat(backup.dropScratch(request).changed()).as("despite an open session").isTrue();
    }
    assertThat(databaseExists(name)).isFalse();
    assertThat(backup.dropScratch(request).changed()).as("never there: success").isFalse();
  }

  @Test
  void theScratchDatabaseGetsTheSourceEncoding() {
    String name = scratchName();
    BackupActivities.ScratchRequest request =
        new BackupActivities.ScratchRequest(endpoint("postgres"), name, "LATIN1");
    backup.createScratch(request);
    try {
      assertThat(
              server()
                  .queryValue(
                      "postgres",
                      "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = '"
                          + name
                          + "'"))
          .isEqualTo("LATIN1");
    } finally {
      backup.dropScratch(request);
    }
  }

  @Test
  void onlyScratchNamesAreCreatedOrDropped() {
    ApplicationFailure f =
        failure(
            () ->
                backup.dropScratch(
                    new BackupActivities.ScratchRequest(endpoint("postgres"), "postgres", null)));
    assertThat(f.getType()).isEqualTo("InvalidInput");
    assertThat(f.getOriginalMessage()).contains("only signalbox_verify_");
    assertThat(databaseExists("postgres")).isTrue();
  }

  @Test
  void theScratchServerCheckNamesWhatIsMissing() {
    BackupActivities.ScratchReport ok =
        backup.checkScratch(new BackupActivities.ScratchCheckRequest(endpoint("postgres")));
    assertThat(ok.superuser()).isTrue();
    assertThat(ok.createDb()).isTrue();
    assertThat(ok.pgAmcheckVersion()).contains("pg_amcheck");
    assertThat(ok.versionNum()).isGreaterThanOrEqualTo(150000);

    String plain = "plain_" + NEXT.incrementAndGet();
    server().execute("postgres", "CREATE ROLE " + plain + " LOGIN PASSWORD 'plain-pw-123'");
    ApplicationFailure f =
        failure(
            () ->
                backup.checkScratch(
                    new BackupActivities.ScratchCheckRequest(
                        endpoint("postgres", plain, "plain-pw-123"))));
    assertThat(f.getType()).isEqualTo("PreconditionFailed");
    assertThat(f.getOriginalMessage())
        .contains("may not create databases: ALTER ROLE " + plain + " CREATEDB")
        .contains("only a superuser may create")
        // a sentence: the runbook appends what it undid after it
        .endsWith(" to " + plain + ".");
  }

  // ------------------------------------------------------------------ amcheck

  @Test
  void amcheckPassesAHealthyDatabaseAndReportsACorruptIndex() {
    String db = sourceDatabase();
    BackupActivities.AmcheckReport healthy =
        backup.amcheck(new BackupActivities.AmcheckRequest(endpoint(db), 2));
    assertThat(healthy.ok()).as(healthy.problems().toString()).isTrue();
    assertThat(healthy.argv()).contains("--heapallindexed").noneMatch(a -> a.contains("pw"));

    // An index whose operator class changes its mind after the index was built: its order is
    // now wrong, which amcheck's B-tree check must see.
    server()
        .execute(
            db,
            "CREATE FUNCTION fickle_cmp(a int4, b int4) RETURNS int LANGUAGE sql IMMUTABLE AS"
                + " 'SELECT CASE WHEN a < b THEN -1 WHEN a > b THEN 1 ELSE 0 END'",
            "CREATE OPERATOR CLASS fickle_ops FOR TYPE int4 USING btree AS OPERATOR 1 <,"
                + " OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >,"
                + " FUNCTION 1 fickle_cmp(int4, int4)",
            "CREATE TABLE fickle (i int4)",
            "INSERT INTO fickle SELECT generate_series(1, 2000)",
            "CREATE INDEX fickle_i ON fickle (i fickle_ops)",
            "CREATE OR REPLACE FUNCTION fickle_cmp(a int4, b int4) RETURNS int LANGUAGE sql"
                + " IMMUTABLE AS 'SELECT CASE WHEN a < b THEN 1 WHEN a > b THEN -1 ELSE 0 END'");
    BackupActivities.AmcheckReport corrupt =
        backup.amcheck(new BackupActivities.AmcheckRequest(endpoint(db), 2));
    assertThat(corrupt.ok()).isFalse();
    assertThat(String.join("\n", corrupt.problems())).contains("fickle_i");
  }

  // ------------------------------------------------------------------ dumps

  @Test
  void aDumpRecordsItsFilesAndInspectAndCheckFilesReadThem() throws Exception {
    Path dir = dump(sourceDatabase());
    DumpManifest manifest = SnapshotDump.readManifest(dir);
    assertThat(manifest.files())
        .extracting(DumpManifest.DumpFile::name)
        .contains("toc.dat")
        .doesNotContain("manifest.json");
    assertThat(manifest.files()).allMatch(f -> f.sha256().matches("[0-9a-f]{64}"));

    BackupActivities.DumpInfo info =
        backup.inspect(new BackupActivities.InspectRequest(dir.toString()));
    assertThat(info.digests()).isTrue();
    assertThat(info.hostTaskQueue()).isEqualTo("signalbox-host-a");
    assertThat(info.tables()).isEqualTo(manifest.tables().size());
    assertThat(info.sourceDatabase()).isEqualTo(manifest.source().database());

    BackupActivities.FilesReport good =
        backup.checkFiles(new BackupActivities.FilesCheckRequest(dir.toString()));
    assertThat(good.ok()).isTrue();
    assertThat(good.files()).isEqualTo(manifest.files().size());

    Files.writeString(dir.resolve("toc.dat"), "x", java.nio.file.StandardOpenOption.APPEND);
    BackupActivities.FilesReport bad =
        backup.checkFiles(new BackupActivities.FilesCheckRequest(dir.toString()));
    assertThat(bad.ok()).isFalse();
    assertThat(bad.problems()).singleElement().asString().startsWith("file toc.dat has the wrong");
  }

  @Test
  void inspectRefusesWhatIsNotASignalboxDump() throws Exception {
    Path plain = Files.createDirectories(dumps.resolve("plain"));
    ApplicationFailure notADump =
        failure(() -> backup.inspect(new BackupActivities.InspectRequest(plain.toString())));
    assertThat(notADump.getType()).isEqualTo("InvalidInput");
    assertThat(notADump.getOriginalMessage()).contains("backup.path").contains("no manifest.json");

    ApplicationFailure outside =
        failure(() -> backup.inspect(new BackupActivities.InspectRequest(work.toString())));
    assertThat(outside.getType()).isEqualTo("InvalidInput");
    assertThat(outside.getOriginalMessage())
        .contains("backup.path \"" + work + "\" is outside the worker's dump roots");

    ApplicationFailure dotdot =
        failure(
            () ->
                backup.inspect(
                    new BackupActivities.InspectRequest(dumps.resolve("../x").toString())));
    assertThat(dotdot.getType()).isEqualTo("InvalidInput");
    assertThat(dotdot.getOriginalMessage()).contains("backup.path").contains("is not normalized");

    Path broken = Files.createDirectories(dumps.resolve("broken"));
    Files.writeString(broken.resolve("manifest.json"), "{\"formatVersion\": ");
    ApplicationFailure unreadable =
        failure(() -> backup.inspect(new BackupActivities.InspectRequest(broken.toString())));
    assertThat(unreadable.getType()).isEqualTo("VerificationFailed");
    assertThat(unreadable.getOriginalMessage())
        .contains(broken.resolve("manifest.json").toString())
        .contains("cannot be read")
        .doesNotContain("\tat ");
  }

  @Test
  void deleteDumpDeletesOnlyADumpInsideTheDumpDirectory() throws Exception {
    Path dir = dump(sourceDatabase());
    Path foreign = Files.createDirectories(dumps.resolve("notes"));
    Files.writeString(foreign.resolve("readme.txt"), "keep me");

    ApplicationFailure refused =
        failure(
            () -> backup.deleteDump(new BackupActivities.DeleteDumpRequest(foreign.toString())));
    assertThat(refused.getType()).isEqualTo("PreconditionFailed");
    assertThat(foreign.resolve("readme.txt")).exists();
    ApplicationFailure outside =
        failure(() -> backup.deleteDump(new BackupActivities.DeleteDumpRequest(work.toString())));
    assertThat(outside.getType()).isEqualTo("InvalidInput");
    ApplicationFailure root =
        failure(() -> backup.deleteDump(new BackupActivities.DeleteDumpRequest(dumps.toString())));
    assertThat(root.getType()).isEqualTo("InvalidInput");

    BackupActivities.DeleteDumpResult deleted =
        backup.deleteDump(new BackupActivities.DeleteDumpRequest(dir.toString()));
    assertThat(deleted.deleted()).isTrue();
    assertThat(deleted.bytes()).isPositive();
    assertThat(dir).doesNotExist();
    assertThat(dumps).exists();
    assertThat(backup.deleteDump(new BackupActivities.DeleteDumpRequest(dir.toString())).deleted())
        .as("already gone: success")
        .isFalse();
  }

  @Test
  void aDumpDirOutsideTheDumpDirectoryIsInvalidInput() {
    backup.checkDumpDir(new BackupActivities.DumpDirRequest(dumps.resolve("sub").toString()));
    ApplicationFailure f =
        failure(() -> backup.checkDumpDir(new BackupActivities.DumpDirRequest("/etc")));
    assertThat(f.getType()).isEqualTo("InvalidInput");
    assertThat(f.getOriginalMessage())
        .contains("copy.dumpDir \"/etc\" is outside the worker's dump roots");
  }
}
