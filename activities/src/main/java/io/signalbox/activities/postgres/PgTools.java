package io.signalbox.activities.postgres;

import io.signalbox.activities.command.CommandRunner;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.SecretRef;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * PostgreSQL's own tools, run through {@link CommandRunner}: {@code pg_dump} in directory format
 * with N jobs, {@code pg_restore} with N jobs, the tools located and their version checked against
 * the server's.
 *
 * <p>One entry point for the activities; the work is split by concern: {@link PgToolLocator} (where
 * the tools are, which version), {@link PgDump} (pg_dump and its directory), {@link PgRestore}
 * (pg_restore into a guarded target), {@link PgToolCommands} (connection arguments and error
 * mapping both share). JDBC connections go through the module's one {@link PgConnector}.
 *
 * <p>Passwords are resolved here, on the worker, and reach the tools only through a temporary
 * pgpass file ({@code PGPASSFILE}, mode 0600, deleted afterwards): never argv, never a log line.
 * Progress callbacks run on the calling thread, so they may heartbeat; whatever they throw (a
 * cancelled activity) kills the tool and propagates.
 */
public class PgTools {
  /**
   * How often a running pg_dump / pg_restore is looked at for progress: a directory listing, cheap;
   * the SDK sends the newest heartbeat at most every few seconds anyway. Once a second, so a step
   * of a few seconds still shows progress in {@code signalbox status}.
   */
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(1);

  /** See {@link PgToolCommands#PG_TLS_ENV}. */
  static final Set<String> PG_TLS_ENV = PgToolCommands.PG_TLS_ENV;

  private final Function<SecretRef, String> secrets;
  private final PgConnector connector;
  private final PgToolLocator locator;
  private final PgDump dump;
  private final PgRestore restore;

  /**
   * @param runner runs the tools
   * @param configuredBinDir {@code signalbox.pg-bin}, or null to search
   * @param secrets resolves password references (e.g. {@code SecretResolver::resolve})
   */
  public PgTools(CommandRunner runner, Path configuredBinDir, Function<SecretRef, String> secrets) {
    this(runner, configuredBinDir, secrets, System::getenv, PROGRESS_EVERY);
  }

  PgTools(
      CommandRunner runner,
      Path configuredBinDir,
      Function<SecretRef, String> secrets,
      Function<String, String> environment,
      Duration progressEvery) {
    this.secrets = secrets;
    this.connector = new PgConnector(secrets);
    this.locator = new PgToolLocator(runner, configuredBinDir, environment);
    this.dump = new PgDump(runner, locator, this::password, progressEvery);
    this.restore = new PgRestore(runner, locator, this::password, this::connect, progressEvery);
  }

  /**
   * Finds pg_dump and pg_restore: the configured directory, {@code $PG_BIN}, {@code pg_config
   * --bindir}, the highest {@code /usr/lib/postgresql/N/bin}, then {@code PATH}.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PreconditionFailed} when none has them
   */
  public PgToolset locate() {
    return locator.locate();
  }

  /**
   * Fails unless the tools' major version is at least the server's: an older pg_dump refuses a
   * newer server, an older pg_restore cannot read a newer dump.
   *
   * @param serverVersionNum {@code server_version_num}, e.g. 160002
   * @param server the server, for the message
   */
  public static void requireAtLeast(PgToolset tools, int serverVersionNum, String server) {
    PgToolLocator.requireAtLeast(tools, serverVersionNum, server);
  }

  /**
   * Runs {@code pg_dump -Fd -j N -Z level [--snapshot=ID] -f dir}. The directory must not exist, be
   * empty, or hold an earlier pg_dump attempt (removed first). Reports the bytes written so far
   * every few seconds.
   *
   * @throws io.temporal.failure.ApplicationFailure when pg_dump fails: {@code PreconditionFailed}
   *     for authentication and permission errors, {@code Transient} otherwise
   */
  public DumpOutcome dump(DumpRequest request, Consumer<DumpProgress> progress) {
    return dump.dump(request, progress);
  }

  /**
   * {@link #dump(DumpRequest, Consumer)}, telling {@code tableDataDone} the dump id of each table
   * data file as soon as pg_dump has written it ({@code <id>.dat}), so it can be read while pg_dump
   * goes on (parallel dumps).
   */
  public DumpOutcome dump(
      DumpRequest request,
      Consumer<DumpProgress> progress,
      java.util.function.IntConsumer tableDataDone) {
    return dump.dump(request, progress, tableDataDone);
  }

  /**
   * Restores a directory-format dump into the target: {@code pg_restore -j N --exit-on-error
   * [--no-owner] [--no-privileges] -v}. The target is checked and prepared first (see {@link
   * RestoreRequest}): a non-empty target that is not this copy's earlier attempt is refused before
   * anything is written; an earlier attempt's objects are dropped; a finished earlier attempt is
   * success without work. Reports tables restored every few seconds.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PreconditionFailed} for a refused target,
   *     old tools or authentication errors; {@code Transient} when pg_restore fails otherwise (a
   *     retry cleans and restores again)
   */
  public RestoreOutcome restore(RestoreRequest request, Consumer<RestoreProgress> progress) {
    return restore.restore(request, progress);
  }

  /**
   * {@link #restore(RestoreRequest, Consumer)}, telling {@code lines} the dump's table of contents
   * and pg_restore's verbose output (for progress), and {@code tableDataLoaded} (may be null) the
   * dump id of each table whose data pg_restore has loaded (parallel full restores; see {@link
   * #tableDataEntries}), so its content can be read while pg_restore goes on.
   */
  public RestoreOutcome restore(
      RestoreRequest request,
      Consumer<RestoreProgress> progress,
      RestoreLines lines,
      java.util.function.IntConsumer tableDataLoaded) {
    return restore.restore(request, progress, lines, tableDataLoaded);
  }

  /**
   * The TABLE DATA entries of a directory-format dump: dump id → what {@code pg_restore --list}
   * shows after {@code TABLE DATA}: schema, table and owner, unquoted, separated by spaces.
   */
  public java.util.Map<Integer, String> tableDataEntries(Path dir) {
    return dump.tableDataEntries(dir);
  }

  /**
   * The data file of each table of a directory-format dump, by the table's oid on the source (see
   * {@link PgDump#tableDataFiles}).
   */
  public java.util.Map<Long, Path> tableDataFiles(Path dir) {
    return dump.tableDataFiles(dir);
  }

  // ---------------------------------------------------------------- connections

  /** Resolves the endpoint's password reference (null when it has none). */
  String password(Endpoint endpoint) {
    return endpoint.password() == null ? null : secrets.apply(endpoint.password());
  }

  /**
   * A JDBC connection to the endpoint with its resolved password.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PreconditionFailed} for a wrong password
   *     or a missing database, {@code Transient} when the server cannot be reached
   */
  Connection connect(Endpoint endpoint, String applicationName) {
    try {
      return connector.open(endpoint, endpoint.database(), applicationName);
    } catch (SQLException e) {
      throw PgErrors.failure("cannot connect to " + endpoint.describe(), e);
    }
  }
}
