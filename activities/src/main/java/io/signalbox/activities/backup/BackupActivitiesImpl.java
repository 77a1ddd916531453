package io.signalbox.activities.backup;

import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.DumpRoots;
import io.signalbox.activities.postgres.PgAmcheck;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgErrors;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.workflows.backup.BackupActivities;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BackupActivities} over PgJDBC, the pg tools and the dump directory: the scratch server's
 * work is in {@link ScratchServer}, the dump directory's in {@link DumpDirectory}, pg_amcheck in
 * {@link PgAmcheck}.
 */
public class BackupActivitiesImpl implements BackupActivities {
  private static final Logger log = LoggerFactory.getLogger(BackupActivitiesImpl.class);
  private static final Duration AMCHECK_TIMEOUT = Duration.ofHours(6);

  private final PgConnector connector;
  private final PgAmcheck amcheck;
  private final ScratchServer scratch;
  private final DumpDirectory dumps;

  /**
   * @param tools the pg tools (pg_restore for the table of contents, the bin directory)
   * @param connector opens JDBC connections with resolved passwords
   * @param runner runs pg_amcheck and pg_restore --list
   * @param dumpDir the worker's dump directory ({@code signalbox.dump-dir}): dumps are read and
   *     deleted only inside it
   * @param hostTaskQueue this worker's own task queue, or null when the dump directory is shared
   */
  public BackupActivitiesImpl(
      PgTools tools,
      PgConnector connector,
      CommandRunner runner,
      Path dumpDir,
      String hostTaskQueue) {
    this(tools, connector, runner, dumpDir, DumpRoots.of(dumpDir), hostTaskQueue);
  }

  /**
   * @param roots the worker's dump roots ({@code signalbox.dump-roots}): {@code backup.path} must
   *     lie inside one of them, and only dumps inside them are deleted
   * @see #BackupActivitiesImpl(PgTools, PgConnector, CommandRunner, Path, String)
   */
  public BackupActivitiesImpl(
      PgTools tools,
      PgConnector connector,
      CommandRunner runner,
      Path dumpDir,
      DumpRoots roots,
      String hostTaskQueue) {
    this.connector = connector;
    this.amcheck = new PgAmcheck(tools, runner);
    this.scratch = new ScratchServer(connector, amcheck);
    this.dumps = new DumpDirectory(tools, runner, dumpDir, roots, hostTaskQueue);
  }

  @Override
  public ScratchReport checkScratch(ScratchCheckRequest request) {
    return scratch.checkScratch(request);
  }

  @Override
  public ScratchResult createScratch(ScratchRequest request) {
    return scratch.createScratch(request);
  }

  @Override
  public ScratchResult dropScratch(ScratchRequest request) {
    return scratch.dropScratch(request);
  }

  @Override
  public DumpInfo inspect(InspectRequest request) {
    return dumps.inspect(request);
  }

  @Override
  public void checkDumpDir(DumpDirRequest request) {
    dumps.checkDumpDir(request);
  }

  @Override
  public FilesReport checkFiles(FilesCheckRequest request) {
    ActivityExecutionContext ctx = context();
    return dumps.checkFiles(request, ctx == null ? null : () -> ctx.heartbeat(null));
  }

  @Override
  public DeleteDumpResult deleteDump(DeleteDumpRequest request) {
    return dumps.deleteDump(request);
  }

  @Override
  public AmcheckReport amcheck(AmcheckRequest request) {
    Endpoint db = required(request == null ? null : request.database(), "database");
    try (Connection c = connector.open(db);
        Statement st = c.createStatement()) {
      st.execute("CREATE EXTENSION IF NOT EXISTS amcheck");
    } catch (SQLException e) {
      throw PgErrors.failure("CREATE EXTENSION amcheck in " + db.describe(), e);
    }
    ActivityExecutionContext ctx = context();
    PgAmcheck.Outcome outcome =
        amcheck.check(
            db,
            request.jobs() == null ? 2 : request.jobs(),
            AMCHECK_TIMEOUT,
            p -> {
              if (ctx != null) {
                ctx.heartbeat(p.elapsed().toMillis());
              }
            });
    String summary =
        outcome.corrupt()
            ? "pg_amcheck found corruption (" + outcome.problems().size() + " lines reported)"
            : "pg_amcheck found no corruption (heap and B-tree indexes, --heapallindexed)";
    log.info("{} in {}", summary, db.describe());
    return new AmcheckReport(
        !outcome.corrupt(), summary, outcome.problems(), outcome.argv(), outcome.durationMillis());
  }

  /** The value, or {@code InvalidInput} naming the field when it is missing. */
  static <T> T required(T value, String field) {
    if (value == null) {
      throw FailureType.INVALID_INPUT.failure(field + ": not given");
    }
    return value;
  }

  private static ActivityExecutionContext context() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException e) {
      return null; // called directly (tests): no heartbeats
    }
  }
}
