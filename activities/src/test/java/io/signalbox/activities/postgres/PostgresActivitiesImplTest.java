package io.signalbox.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.CheckTargetInput;
import io.signalbox.workflows.copy.CheckTargetResult;
import io.signalbox.workflows.copy.DescribeInput;
import io.signalbox.workflows.copy.FreezeInput;
import io.signalbox.workflows.copy.FreezeResult;
import io.signalbox.workflows.copy.InventoryInput;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.SchemaInventory;
import io.signalbox.workflows.copy.SequencesInput;
import io.signalbox.workflows.copy.SequencesResult;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.copy.TableStats;
import io.signalbox.workflows.copy.TableStatsInput;
import io.signalbox.workflows.copy.TableStatsResult;
import io.signalbox.workflows.copy.UnfreezeInput;
import io.signalbox.workflows.copy.UnfreezeResult;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgresActivitiesImpl against two real servers loaded with {@code datasets/shapes.sql}: the
 * database {@code shapes} is loaded once per server and serves as the template for a fresh copy
 * wherever a test changes something.
 */
class PostgresActivitiesImplTest {

  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);

  static final Map<String, Long> EXPECTED_COUNTS = new LinkedHashMap<>();

  static {
    EXPECTED_COUNTS.put("\"Sales\".\"LineItems\"", 300L);
    EXPECTED_COUNTS.put("public.\"Order\"", 150L);
    EXPECTED_COUNTS.put("public.\"user\"", 3L);
    EXPECTED_COUNTS.put("public.accounts", 200L);
    EXPECTED_COUNTS.put("public.audit_log", 200L);
    EXPECTED_COUNTS.put("public.empty_things", 0L);
    EXPECTED_COUNTS.put("public.events", 1000L);
    EXPECTED_COUNTS.put("public.measurements_2025", 181L);
    EXPECTED_COUNTS.put("public.measurements_2026", 181L);
    EXPECTED_COUNTS.put("public.measurements_other", 3L);
  }

  static PostgresServer source;
  static PostgresServer target;
  static PostgresActivitiesImpl activities;
  static final AtomicInteger dbs = new AtomicInteger();

  @BeforeAll
  static void load() {
    source = pg.server(0);
    target = pg.server(1);
    for (PostgresServer s : List.of(source, target)) {
      s.createDatabase("shapes");
      s.executeResource("shapes", "/datasets/shapes.sql");
    }
    // Passwords come in through env references, resolved from this map instead of the process
    // environment.
    Map<String, String> env =
        Map.of("SOURCE_PW", source.password(), "TARGET_PW", target.password());
    activities = new PostgresActivitiesImpl(new SecretResolver(null, env::get));
  }

  static Endpoint endpoint(PostgresServer s, String db) {
    return new Endpoint(
        s.host(),
        s.port(),
        db,
        s.superuser(),
        new SecretRef(s == source ? "SOURCE_PW" : "TARGET_PW", null, null),
        "disable",
        false);
  }

  /** A fresh copy of {@code shapes} on {@code s}, for a test that changes things. */
  static String copyOfShapes(PostgresServer s) {
    String name = "Copy " + dbs.incrementAndGet(); // a name that needs quoting
    s.execute(
        "postgres", "CREATE DATABASE " + PostgresServer.quoteIdent(name) + " TEMPLATE shapes");
    return name;
  }

  static TableStatsResult stats(PostgresServer s, String db, boolean checksums) {
    return activities.tableStats(new TableStatsInput(endpoint(s, db), checksums, 2, null));
  }

  @Test
  void describesServerAndDatabase() {
    ServerDescription d = activities.describe(new DescribeInput(endpoint(source, "shapes")));
    assertThat(d.versionNum()).isGreaterThanOrEqualTo(110000);
    assertThat(d.majorVersion()).isEqualTo(d.versionNum() / 10000);
    assertThat(d.version()).startsWith(String.valueOf(d.majorVersion()));
    assertThat(d.versionString()).startsWith("PostgreSQL");
    assertThat(d.sizeBytes()).isGreaterThan(1_000_000L);
    assertThat(d.extensionNames()).contains("citext", "pg_trgm", "plpgsql").isSorted();
    // 10 leaf/plain tables + the partitioned parent measurements.
    assertThat(d.userTableCount()).isEqualTo(11);
    assertThat(d.encoding()).isEqualTo("UTF8");
    assertThat(d.endpoint()).isEqualTo("postgres@127.0.0.1:" + source.port() + "/shapes");
  }

  @Test
  void rowCountsCountLeafPartitionsOnceAndQuoteEveryName() {
    TableStatsResult r = stats(source, "shapes", false);
    Map<String, Long> counts =
        r.tables().stream().collect(Collectors.toMap(TableStats::table, TableStats::rows));
    assertThat(counts).isEqualTo(EXPECTED_COUNTS);
    assertThat(r.tables()).extracting(TableStats::checksum).containsOnlyNulls();
    assertThat(r.snapshotId()).isNotBlank();
    assertThat(r.totalRows()).isEqualTo(2218L);
    // Partitioned parent is not counted on top of its leaves.
    assertThat(source.queryValue("shapes", "SELECT count(*) FROM measurements")).isEqualTo("365");
    assertThat(counts).doesNotContainKey("public.measurements");
  }

  @Test
  void rowCountsInsideAnExportedSnapshotIgnoreLaterWrites() throws Exception {
    String db = copyOfShapes(source);
    try (Connection holder = source.connect(db)) {
      holder.setAutoCommit(false);
      String snapshot;
      try (Statement st = holder.createStatement()) {
        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        try (ResultSet rs = st.executeQuery("SELECT pg_export_snapshot()")) {
          rs.next();
          snapshot = rs.getString(1);
        }
      }
      // A write after the snapshot: a new row in a mixed-case table.
      source.execute(db, "INSERT INTO \"Sales\".\"LineItems\" (\"OrderId\") VALUES (1)");

      // On the connection that holds the snapshot (as the dump activity does):
      Map<String, Long> inSnapshot = Inspector.rowCounts(holder);
      assertThat(inSnapshot).isEqualTo(EXPECTED_COUNTS);

      // Over the pool, importing the same snapshot:
      TableStatsResult pooled =
          activities.tableStats(new TableStatsInput(endpoint(source, db), false, 3, snapshot));
      assertThat(pooled.snapshotId()).isEqualTo(snapshot);
      assertThat(pooled.tables())
          .filteredOn(t -> t.table().equals("\"Sales\".\"LineItems\""))
          .singleElement()
          .extracting(TableStats::rows)
          .isEqualTo(300L);
      holder.rollback();
    }
    // Outside the snapshot the new row is there.
    assertThat(stats(source, db, false).tables())
        .filteredOn(t -> t.table().equals("\"Sales\".\"LineItems\""))
        .singleElement()
        .extracting(TableStats::rows)
        .isEqualTo(301L);
  }

  @Test
  void checksumsMatchForIdenticalDataWhateverTheSessionDefaults() {
    String db = copyOfShapes(target);
    // Defaults that change text forms: the checksum connections must set their own.
    target.execute(
        "postgres",
        "ALTER DATABASE \"" + db + "\" SET extra_float_digits = -3",
        "ALTER DATABASE \"" + db + "\" SET bytea_output = 'escape'",
        "ALTER DATABASE \"" + db + "\" SET DateStyle = 'SQL, DMY'",
        "ALTER DATABASE \"" + db + "\" SET IntervalStyle = 'sql_standard'",
        "ALTER DATABASE \"" + db + "\" SET TimeZone = 'Pacific/Chatham'");
    TableStatsResult a = stats(source, "shapes", true);
    TableStatsResult b = stats(target, db, true);
    assertThat(a.tables()).hasSize(EXPECTED_COUNTS.size());
    assertThat(a.tables()).extracting(TableStats::checksum).doesNotContainNull();
    assertThat(a.tables())
        .filteredOn(t -> t.table().equals("public.empty_things"))
        .extracting(TableStats::checksum)
        .containsExactly("0");
    assertThat(TableStatsResult.compare(a, b)).isEmpty();
    assertThat(b.tables()).isEqualTo(a.tables());
  }

  @Test
  void checksumCatchesOneChangedValueAndCountCatchesOneDeletedRow() {
    TableStatsResult source0 = stats(source, "shapes", true);

    String changed = copyOfShapes(target);
    // A float changed in its last bits: only visible with exact float output.
    // session_replication_role = replica skips the audit trigger: exactly one value changes.
    target.execute(
        changed,
        "SET session_replication_role = replica",
        "UPDATE accounts SET score = score + 1e-12 WHERE id = 42");
    assertThat(target.queryValue(changed, "SELECT count(*) FROM audit_log")).isEqualTo("200");
    assertThat(TableStatsResult.compare(source0, stats(target, changed, true)))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.table()).isEqualTo("public.accounts");
              assertThat(m.problem()).isEqualTo("content checksum differs");
            });

    String changedText = copyOfShapes(target);
    target.execute(changedText, "UPDATE \"Order\" SET \"select\" = 'option 8 ' WHERE \"Id\" = 8");
    assertThat(TableStatsResult.compare(source0, stats(target, changedText, true)))
        .extracting(TableStatsResult.TableMismatch::table)
        .containsExactly("public.\"Order\"");

    String deleted = copyOfShapes(target);
    target.execute(deleted, "DELETE FROM measurements WHERE logdate = '2026-07-02'");
    List<TableStatsResult.TableMismatch> m =
        TableStatsResult.compare(source0, stats(target, deleted, false));
    assertThat(m)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.table()).isEqualTo("public.measurements_other");
              assertThat(x.sourceRows()).isEqualTo(3L);
              assertThat(x.targetRows()).isEqualTo(2L);
              assertThat(x.problem()).isEqualTo("row count 3 != 2");
            });

    String dropped = copyOfShapes(target);
    target.execute(dropped, "DROP TABLE empty_things");
    assertThat(TableStatsResult.compare(source0, stats(target, dropped, false)))
        .extracting(TableStatsResult.TableMismatch::problem)
        .containsExactly("missing on target");
  }

  @Test
  void inventoryIsEqualOnBothServersAndCatchesADroppedIndex() {
    SchemaInventory a = activities.inventory(new InventoryInput(endpoint(source, "shapes")));
    SchemaInventory b = activities.inventory(new InventoryInput(endpoint(target, "shapes")));
    assertThat(a.differences(b)).isEmpty();
    assertThat(a).isEqualTo(b);
    // It sees every kind of object in the dataset, and no extension member.
    assertThat(a.count("table")).isEqualTo(11);
    assertThat(a.count("view")).isEqualTo(1);
    assertThat(a.count("materialized view")).isEqualTo(1);
    assertThat(a.count("trigger")).isEqualTo(1);
    assertThat(a.count("type")).isEqualTo(1);
    assertThat(a.objects())
        .extracting(o -> o.key())
        .contains(
            "function public.audit_row()",
            "index public.events_account",
            "index public.\"Order_user_from\"",
            "column public.\"Order\".\"select\"",
            "column \"Sales\".\"LineItems\".\"Qty\"",
            "constraint public.events.events_kind_check",
            "sequence public.invoice_no",
            "sequence public.events_id_seq",
            "extension citext",
            "schema \"Sales\"")
        .noneMatch(k -> k.contains("citext(") || k.contains("similarity"));
    assertThat(a.objects())
        .filteredOn(o -> o.key().equals("table public.measurements_other"))
        .singleElement()
        .extracting(o -> o.definition())
        .isEqualTo("table partition of public.measurements DEFAULT");

    String db = copyOfShapes(target);
    target.execute(
        db, "DROP INDEX events_account", "ALTER TABLE accounts ALTER ratio SET NOT NULL");
    SchemaInventory c = activities.inventory(new InventoryInput(endpoint(target, db)));
    assertThat(a.differences(c))
        .containsExactly(
            "differs: column public.accounts.ratio: #11 real <> #11 real NOT NULL",
            "missing on target: index public.events_account");

    String db2 = copyOfShapes(target);
    target.execute(
        db2,
        "CREATE POLICY \"own rows\" ON public.\"Order\" USING (\"user\" > 0)",
        "CREATE RULE keep_audit AS ON DELETE TO audit_log DO INSTEAD NOTHING");
    assertThat(a.differences(activities.inventory(new InventoryInput(endpoint(target, db2)))))
        .containsExactly(
            "not on source: policy public.\"Order\".\"own rows\"",
            "not on source: rule public.audit_log.keep_audit");
  }

  @Test
  void sequencesCompareCatchesATargetBehindTheSource() {
    SequencesResult s = activities.sequences(new SequencesInput(endpoint(source, "shapes")));
    assertThat(s.sequences())
        .extracting(x -> x.name())
        .containsExactly(
            "\"Sales\".\"CountDown\"",
            "\"Sales\".\"LineItems_LineId_seq\"",
            "public.\"Order_Id_seq\"",
            "public.accounts_id_seq",
            "public.empty_things_id_seq",
            "public.events_id_seq",
            "public.invoice_no");
    assertThat(s.sequences())
        .filteredOn(x -> x.name().equals("public.invoice_no"))
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.lastValue()).isEqualTo(1004);
              assertThat(x.isCalled()).isTrue();
              assertThat(x.nextValue()).isEqualTo(1005);
              assertThat(x.ownedBy()).isNull();
            });
    assertThat(s.sequences())
        .filteredOn(x -> x.name().equals("public.events_id_seq"))
        .singleElement()
        .satisfies(x -> assertThat(x.ownedBy()).isEqualTo("public.events.id"));
    assertThat(s.sequences())
        .filteredOn(x -> x.name().equals("public.empty_things_id_seq"))
        .singleElement()
        .satisfies(x -> assertThat(x.nextValue()).isEqualTo(1));

    SequencesResult same = activities.sequences(new SequencesInput(endpoint(target, "shapes")));
    assertThat(SequencesResult.behind(s, same)).isEmpty();

    String db = copyOfShapes(target);
    target.execute(
        db,
        "SELECT setval('public.accounts_id_seq', 5)",
        "SELECT setval('\"Sales\".\"CountDown\"', 99)", // descending: 99 is behind 97
        "SELECT nextval('public.invoice_no')"); // ahead: fine
    List<String> behind =
        SequencesResult.behind(s, activities.sequences(new SequencesInput(endpoint(target, db))));
    assertThat(behind)
        .containsExactly(
            "\"Sales\".\"CountDown\": target next value 98 is behind source next value 97",
            "public.accounts_id_seq: target next value 6 is behind source next value 201");
  }

  @Test
  void freezeMakesWritesFailUnfreezeAllowsThemAndBothAreIdempotent() throws Exception {
    String db = copyOfShapes(source);
    Endpoint e = endpoint(source, db);
    try (Connection before = source.connect(db)) {
      FreezeResult f = activities.freeze(new FreezeInput(e, "run-1"));
      assertThat(f.alreadyFrozen()).isFalse();
      assertThat(f.frozenBy()).isEqualTo("run-1");
      assertThat(f.sessionsTerminated()).isEqualTo(1);
      // The session that was open before the freeze is gone.
      assertThatThrownBy(() -> before.createStatement().execute("SELECT 1"))
          .isInstanceOf(SQLException.class);
    }
    assertThatThrownBy(() -> source.execute(db, "INSERT INTO \"user\" VALUES ('dave', NULL)"))
        .hasMessageContaining("read-only transaction");

    // The same request again (a retried activity): its own freeze, not somebody else's.
    FreezeResult again = activities.freeze(new FreezeInput(e, "run-1"));
    assertThat(again.alreadyFrozen()).isFalse();
    // Another run finds it frozen by run-1, and its undo leaves run-1's freeze alone.
    FreezeResult other = activities.freeze(new FreezeInput(e, "run-2"));
    assertThat(other.alreadyFrozen()).isTrue();
    assertThat(other.frozenBy()).isEqualTo("run-1");
    UnfreezeResult otherUndo = activities.unfreeze(new UnfreezeInput(e, "run-2", null));
    assertThat(otherUndo.unfrozen()).isFalse();
    assertThat(otherUndo.note()).contains("run-1");
    assertThatThrownBy(() -> source.execute(db, "INSERT INTO \"user\" VALUES ('dave', NULL)"))
        .hasMessageContaining("read-only transaction");

    UnfreezeResult u = activities.unfreeze(new UnfreezeInput(e, "run-1", null));
    assertThat(u.wasFrozen()).isTrue();
    assertThat(u.unfrozen()).isTrue();
    source.execute(db, "INSERT INTO \"user\" VALUES ('dave', NULL)");
    assertThat(source.queryValue(db, "SELECT count(*) FROM \"user\"")).isEqualTo("4");

    UnfreezeResult u2 = activities.unfreeze(new UnfreezeInput(e, "run-1", null));
    assertThat(u2.wasFrozen()).isFalse();
    assertThat(u2.unfrozen()).isFalse();
    assertThat(
            source.queryValue(
                db,
                "SELECT count(*) FROM pg_db_role_setting"
                    + " WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = '"
                    + db
                    + "')"))
        .isEqualTo("0");
  }

  @Test
  void aFreezeSomebodyElseMadeIsLeftAloneUnlessForced() {
    String db = copyOfShapes(source);
    Endpoint e = endpoint(source, db);
    source.execute(
        "postgres",
        "ALTER DATABASE "
            + PostgresServer.quoteIdent(db)
            + " SET default_transaction_read_only = on");
    FreezeResult f = activities.freeze(new FreezeInput(e, "run-3"));
    assertThat(f.alreadyFrozen()).isTrue();
    assertThat(f.frozenBy()).isNull();
    UnfreezeResult u = activities.unfreeze(new UnfreezeInput(e, "run-3", false));
    assertThat(u.unfrozen()).isFalse();
    assertThat(u.note()).contains("somebody else");
    assertThatThrownBy(() -> source.execute(db, "DELETE FROM empty_things"))
        .hasMessageContaining("read-only");

    UnfreezeResult forced = activities.unfreeze(new UnfreezeInput(e, null, true));
    assertThat(forced.unfrozen()).isTrue();
    source.execute(db, "DELETE FROM empty_things");
  }

  @Test
  void theDatabaseOwnerCanFreezeAndUnfreezeWithoutBeingSuperuser() {
    source.execute(
        "postgres",
        "CREATE ROLE app_owner LOGIN PASSWORD 'app-pw-1'",
        "CREATE DATABASE owned OWNER app_owner TEMPLATE shapes");
    PostgresActivitiesImpl asOwner =
        new PostgresActivitiesImpl(new SecretResolver(null, Map.of("APP_PW", "app-pw-1")::get));
    Endpoint e =
        new Endpoint(
            source.host(),
            source.port(),
            "owned",
            "app_owner",
            new SecretRef("APP_PW", null, null),
            "disable",
            null);

    // Without the right to set signalbox.frozen_by: frozen, but no request id recorded.
    FreezeResult f = asOwner.freeze(new FreezeInput(e, "run-owner"));
    assertThat(f.alreadyFrozen()).isFalse();
    assertThat(f.frozenBy()).isNull();
    assertThatThrownBy(() -> source.execute("owned", "DELETE FROM empty_things"))
        .hasMessageContaining("read-only");
    // When in doubt the undo leaves the database frozen, and says how to lift it.
    UnfreezeResult u = asOwner.unfreeze(new UnfreezeInput(e, "run-owner", null));
    assertThat(u.unfrozen()).isFalse();
    assertThat(u.note()).contains("force");
    assertThat(asOwner.unfreeze(new UnfreezeInput(e, null, true)).unfrozen()).isTrue();
    source.execute("owned", "DELETE FROM empty_things");

    // PostgreSQL 15+: with SET granted on the parameter the owner records its request id.
    source.execute("postgres", "GRANT SET ON PARAMETER signalbox.frozen_by TO app_owner");
    assertThat(asOwner.freeze(new FreezeInput(e, "run-owner-2")).frozenBy())
        .isEqualTo("run-owner-2");
    assertThat(asOwner.unfreeze(new UnfreezeInput(e, "run-owner-2", null)).unfrozen()).isTrue();
    source.execute("owned", "DELETE FROM empty_things");
  }

  @Test
  void aRetriedFreezeKnowsItsOwnFreezeFromTheHeartbeatDetails() {
    String db = copyOfShapes(source);
    Endpoint e = endpoint(source, db);
    // What an earlier attempt left behind: frozen, but no request id recorded on the database.
    source.execute(
        "postgres",
        "ALTER DATABASE "
            + PostgresServer.quoteIdent(db)
            + " SET default_transaction_read_only = on");
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(activities);
      PostgresActivities stub =
          env.newActivityStub(
              PostgresActivities.class,
              ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build());
      env.setHeartbeatDetails(new PostgresActivitiesImpl.FreezeAttempt("run-9", false));
      FreezeResult retried = stub.freeze(new FreezeInput(e, "run-9"));
      assertThat(retried.alreadyFrozen()).isFalse();
      // Another request's details do not count.
      env.setHeartbeatDetails(new PostgresActivitiesImpl.FreezeAttempt("run-8", false));
      assertThat(stub.freeze(new FreezeInput(e, "run-9")).alreadyFrozen()).isTrue();
    } finally {
      env.close();
    }
  }

  @Test
  void checkTargetRefusesANonEmptyTargetAndMissingExtensions() {
    List<String> required =
        activities.describe(new DescribeInput(endpoint(source, "shapes"))).extensionNames();

    target.createDatabase("empty target");
    CheckTargetResult ok =
        activities.checkTarget(new CheckTargetInput(endpoint(target, "empty target"), required));
    assertThat(ok.userTables()).isEmpty();
    assertThat(ok.extensionsToCreate()).containsExactly("citext", "pg_trgm");
    assertThat(ok.target().userTableCount()).isZero();

    assertThatThrownBy(
            () ->
                activities.checkTarget(new CheckTargetInput(endpoint(target, "shapes"), required)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("PreconditionFailed");
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage())
                  .contains("not empty")
                  .contains("11 user table(s)")
                  .contains("\"Sales\".\"LineItems\"");
            });

    Endpoint allowed = endpoint(target, "shapes");
    allowed =
        new Endpoint(
            allowed.host(),
            allowed.port(),
            allowed.database(),
            allowed.user(),
            allowed.password(),
            allowed.sslmode(),
            true);
    CheckTargetResult nonEmpty = activities.checkTarget(new CheckTargetInput(allowed, required));
    assertThat(nonEmpty.userTables()).hasSize(11).contains("public.\"Order\"");
    assertThat(nonEmpty.extensionsToCreate()).isEmpty();

    assertThatThrownBy(
            () ->
                activities.checkTarget(
                    new CheckTargetInput(
                        endpoint(target, "empty target"), List.of("citext", "no_such_ext"))))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f ->
                assertThat(f.getOriginalMessage())
                    .contains("not available on the target server: no_such_ext")
                    .doesNotContain("not empty"));
  }

  @Test
  void wrongPasswordIsANonRetryableFailureThatDoesNotShowThePassword() {
    PostgresActivitiesImpl wrong =
        new PostgresActivitiesImpl(new SecretResolver(null, Map.of("SOURCE_PW", "nope-42")::get));
    assertThatThrownBy(() -> wrong.describe(new DescribeInput(endpoint(source, "shapes"))))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("PreconditionFailed");
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage())
                  .contains("password authentication failed")
                  .doesNotContain("nope-42")
                  .doesNotContain(source.password());
            });
    assertThatThrownBy(() -> activities.describe(new DescribeInput(endpoint(source, "no such db"))))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.getType()).isEqualTo("PreconditionFailed"));
  }

  @Test
  void afterPgDumpAndPgRestoreEverythingCompareEqual(@TempDir Path tmp) throws Exception {
    // The comparisons must hold for a real copy, not only for two loads of the same SQL.
    Path dump = tmp.resolve("shapes.dump");
    run(
        source,
        source.binDir().resolve("pg_dump").toString(),
        "-Fc",
        "-h",
        source.host(),
        "-p",
        String.valueOf(source.port()),
        "-U",
        source.superuser(),
        "-d",
        "shapes",
        "-f",
        dump.toString());
    target.createDatabase("restored");
    run(
        target,
        target.binDir().resolve("pg_restore").toString(),
        "--no-owner",
        "--exit-on-error",
        "-h",
        target.host(),
        "-p",
        String.valueOf(target.port()),
        "-U",
        target.superuser(),
        "-d",
        "restored",
        dump.toString());

    Endpoint s = endpoint(source, "shapes");
    Endpoint t = endpoint(target, "restored");
    assertThat(
            TableStatsResult.compare(
                activities.tableStats(new TableStatsInput(s, true, 2, null)),
                activities.tableStats(new TableStatsInput(t, true, 2, null))))
        .isEmpty();
    assertThat(
            activities
                .inventory(new InventoryInput(s))
                .differences(activities.inventory(new InventoryInput(t))))
        .isEmpty();
    SequencesResult ss = activities.sequences(new SequencesInput(s));
    SequencesResult ts = activities.sequences(new SequencesInput(t));
    assertThat(SequencesResult.behind(ss, ts)).isEmpty();
    assertThat(ts).isEqualTo(ss);
  }

  private static void run(PostgresServer s, String... argv) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("PGPASSWORD", s.password());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", argv) + "\n" + out).isZero();
  }
}
