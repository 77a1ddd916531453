package io.signalbox.activities.postgres;

import io.signalbox.activities.secrets.SecretResolver;
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
import io.signalbox.workflows.copy.TableStatsInput;
import io.signalbox.workflows.copy.TableStatsResult;
import io.signalbox.workflows.copy.UnfreezeInput;
import io.signalbox.workflows.copy.UnfreezeResult;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PostgresActivities} over PgJDBC. Plain Java: the worker wires it with a {@link
 * SecretResolver}. The SQL lives in {@link Inspector}, {@link TableScanner} and {@link Freezer},
 * which work on any connection and outside an activity too.
 */
public class PostgresActivitiesImpl implements PostgresActivities {

  private static final Logger log = LoggerFactory.getLogger(PostgresActivitiesImpl.class);
  private static final int MAX_LISTED_TABLES = 50;

  private final PgConnector connector;

  public PostgresActivitiesImpl(SecretResolver secrets) {
    this.connector = new PgConnector(secrets);
  }

  @Override
  public ServerDescription describe(DescribeInput input) {
    Endpoint e = endpoint(input == null ? null : input.endpoint());
    try (Connection c = connector.open(e)) {
      return Inspector.describe(c, e.describe());
    } catch (SQLException ex) {
      throw PgErrors.failure("describe " + e.describe(), ex);
    }
  }

  @Override
  public CheckTargetResult checkTarget(CheckTargetInput input) {
    Endpoint e = endpoint(input == null ? null : input.target());
    try (Connection c = connector.open(e)) {
      ServerDescription target = Inspector.describe(c, e.describe());
      List<String> tables = Inspector.userTables(c);
      Inspector.ExtensionGaps gaps = Inspector.extensionGaps(c, input.requiredExtensions());
      List<String> problems = new ArrayList<>();
      if (!tables.isEmpty()
          && !Boolean.TRUE.equals(e.allowNonEmpty())
          && !Boolean.TRUE.equals(input.dataOnly())) {
        problems.add(
            "the target database is not empty: "
                + tables.size()
                + " user table(s), e.g. "
                + String.join(", ", tables.subList(0, Math.min(5, tables.size())))
                + " (set target.allowNonEmpty to restore into it anyway)");
      }
      if (!gaps.missing().isEmpty()) {
        problems.add(
            "extensions the source uses are not available on the target server: "
                + String.join(", ", gaps.missing()));
      }
      if (!problems.isEmpty()) {
        throw FailureType.PRECONDITION_FAILED.failure(
            "target " + e.describe() + " refused: " + String.join("; ", problems));
      }
      return new CheckTargetResult(
          target,
          List.copyOf(tables.subList(0, Math.min(MAX_LISTED_TABLES, tables.size()))),
          gaps.toCreate());
    } catch (SQLException ex) {
      throw PgErrors.failure("check target " + e.describe(), ex);
    }
  }

  @Override
  public TableStatsResult tableStats(TableStatsInput input) {
    Endpoint e = endpoint(input == null ? null : input.endpoint());
    TableScanner.Progress progress = heartbeat();
    long t0 = System.nanoTime();
    try {
      TableStatsResult r =
          new TableScanner(() -> connector.open(e), input.parallelismOrDefault())
              .scan(input.checksumsOrDefault(), input.snapshotId(), progress);
      log.info(
          "{} of {}: {} tables, {} rows in {} ms",
          r.checksums() ? "checksums" : "row counts",
          e.describe(),
          r.tables().size(),
          r.totalRows(),
          (System.nanoTime() - t0) / 1_000_000);
      return r;
    } catch (SQLException ex) {
      throw PgErrors.failure("table stats of " + e.describe(), ex);
    } catch (IllegalArgumentException ex) {
      throw FailureType.INVALID_INPUT.failure(ex.getMessage());
    }
  }

  @Override
  public SequencesResult sequences(SequencesInput input) {
    Endpoint e = endpoint(input == null ? null : input.endpoint());
    try (Connection c = connector.open(e)) {
      return Inspector.sequences(c);
    } catch (SQLException ex) {
      throw PgErrors.failure("sequences of " + e.describe(), ex);
    }
  }

  /**
   * Adds each existing table of {@code tables} as a {@code content} object whose definition is its
   * rows as text, sorted, at most 100 (a version table holds one).
   */
  private static SchemaInventory withContent(Connection c, SchemaInventory inv, List<String> tables)
      throws SQLException {
    List<io.signalbox.workflows.copy.SchemaObject> objects = new ArrayList<>(inv.objects());
    String find =
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_catalog.pg_class c"
            + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p') AND (n.nspname || '.' || c.relname = ?"
            + " OR format('%I.%I', n.nspname, c.relname) = ?)";
    for (String table : tables) {
      String quoted = null;
      try (var ps = c.prepareStatement(find)) {
        ps.setString(1, table);
        ps.setString(2, table);
        try (var rs = ps.executeQuery()) {
          if (rs.next()) {
            quoted = rs.getString(1);
          }
        }
      }
      if (quoted == null) {
        continue;
      }
      // quoted comes from format('%I.%I') of the catalog: safe to put into the statement.
      try (var st = c.createStatement();
          var rs =
              st.executeQuery(
                  "SELECT coalesce(string_agg(r, ' | ' ORDER BY r), '(no rows)') FROM (SELECT t::text"
                      + " AS r FROM "
                      + quoted
                      + " t ORDER BY 1 LIMIT 100) x")) {
        rs.next();
        objects.add(
            new io.signalbox.workflows.copy.SchemaObject("content", quoted, rs.getString(1)));
      }
    }
    objects.sort(
        java.util.Comparator.comparing(io.signalbox.workflows.copy.SchemaObject::kind)
            .thenComparing(io.signalbox.workflows.copy.SchemaObject::name));
    return new SchemaInventory(List.copyOf(objects));
  }

  @Override
  public SchemaInventory inventory(InventoryInput input) {
    Endpoint e = endpoint(input == null ? null : input.endpoint());
    try (Connection c = connector.open(e)) {
      // One snapshot for all catalog queries, so a concurrent DDL cannot split the picture.
      c.setAutoCommit(false);
      try (var st = c.createStatement()) {
        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
      }
      SchemaInventory inv = Inspector.inventory(c);
      if (input.contentTables() != null && !input.contentTables().isEmpty()) {
        inv = withContent(c, inv, input.contentTables());
      }
      c.rollback();
      return inv;
    } catch (SQLException ex) {
      throw PgErrors.failure("schema inventory of " + e.describe(), ex);
    }
  }

  @Override
  public FreezeResult freeze(FreezeInput input) {
    Endpoint e = endpoint(input == null ? null : input.endpoint());
    ActivityExecutionContext ctx = context();
    // A retry of this activity: did an earlier attempt find the database open and freeze it?
    boolean earlierAttemptFroze =
        ctx != null
            && ctx.getHeartbeatDetails(FreezeAttempt.class)
                .filter(a -> a.requestId() != null && a.requestId().equals(input.requestId()))
                .map(a -> !a.wasFrozen())
                .orElse(false);
    Runnable beforeChange =
        ctx == null ? () -> {} : () -> ctx.heartbeat(new FreezeAttempt(input.requestId(), false));
    try (Connection c = connector.open(e)) {
      return Freezer.freeze(c, e.database(), input.requestId(), earlierAttemptFroze, beforeChange);
    } catch (SQLException ex) {
      throw PgErrors.failure("freeze " + e.describe(), ex);
    }
  }

  @Override
  public UnfreezeResult unfreeze(UnfreezeInput input) {
    Endpoint e = endpoint(input == null ? null : input.endpoint());
    try (Connection c = connector.open(e)) {
      return Freezer.unfreeze(
          c, e.database(), input.requestId(), Boolean.TRUE.equals(input.force()));
    } catch (SQLException ex) {
      throw PgErrors.failure("unfreeze " + e.describe(), ex);
    }
  }

  private static Endpoint endpoint(Endpoint e) {
    if (e == null) {
      throw FailureType.INVALID_INPUT.failure("no endpoint given");
    }
    return e;
  }

  /**
   * Heartbeats tables done when running as an activity; a no-op when called directly (tests,
   * benchmarks). A cancelled activity's heartbeat throws, which ends the scan.
   */
  private static TableScanner.Progress heartbeat() {
    ActivityExecutionContext ctx = context();
    if (ctx == null) {
      return (done, total) -> {};
    }
    return (done, total) -> ctx.heartbeat(new ScanProgress(done, total));
  }

  /** The activity's context, or null when called outside an activity. */
  private static ActivityExecutionContext context() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException e) {
      return null;
    }
  }

  /**
   * Heartbeat details of {@link #freeze}, recorded just before the database is changed, so a retry
   * knows that a freeze without a recorded request id is its own.
   *
   * @param requestId the freeze's request id
   * @param wasFrozen whether the database was frozen when the attempt looked
   */
  public record FreezeAttempt(String requestId, boolean wasFrozen) {}

  /**
   * Heartbeat details of {@link #tableStats}.
   *
   * @param tablesDone tables finished
   * @param tables tables in all
   */
  public record ScanProgress(int tablesDone, int tables) {}
}
