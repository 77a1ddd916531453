package io.signalbox.activities.postgres;

import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What pg_dump and pg_restore runs share: connection arguments and environment, error mapping. */
final class PgToolCommands {

  private PgToolCommands() {}

  /**
   * What a pg tool takes from the worker's environment beyond {@link CommandRunner#BASE_ENV}: the
   * TLS files an operator configured for the worker (paths, not secrets). Never {@code PGPASSWORD},
   * {@code PGHOST} and the like: every connection setting comes from the endpoint.
   */
  static final Set<String> PG_TLS_ENV =
      Set.of("PGSSLROOTCERT", "PGSSLCRL", "PGSSLCRLDIR", "PGSSLCERT", "PGSSLKEY");

  /**
   * libpq settings for a tool: host, port and user in argv (no secrets there), the database as a
   * conninfo string so any name works, sslmode and application name through the environment, the
   * password through the pgpass file. The tool's environment is otherwise minimal (see {@link
   * CommandRunner}): the source's pg_dump never sees the target's password, nor any other secret.
   */
  static List<String> connectionArgs(Endpoint e) {
    return List.of(
        "--host=" + e.host(),
        "--port=" + e.portOrDefault(),
        "--username=" + e.user(),
        "--no-password",
        "--dbname=dbname='" + e.database().replace("\\", "\\\\").replace("'", "\\'") + "'");
  }

  /**
   * The command of a pg tool connecting to {@code e}: the minimal environment every child gets, the
   * worker's TLS file settings, the endpoint's libpq settings and the pgpass file. One place, so
   * every pg tool (pg_dump, pg_restore, pg_amcheck) sees the same and nothing more.
   */
  static CommandSpec pgCommand(
      List<String> argv, Endpoint e, String applicationName, PgPassFile pgpass) {
    return CommandSpec.of(argv)
        .withInheritEnv(PG_TLS_ENV)
        .withEnv(connectionEnv(e, applicationName))
        .withEnv(pgpass.environment());
  }

  static Map<String, String> connectionEnv(Endpoint e, String applicationName) {
    return Map.of(
        "PGSSLMODE", e.sslmodeOrDefault(), "PGAPPNAME", applicationName, "PGCONNECT_TIMEOUT", "30");
  }

  /** A failed tool run as an activity failure: permanent for authentication and version errors. */
  static RuntimeException toolFailure(String what, CommandResult result) {
    String stderr = result.stderr().tail();
    String message =
        what
            + " failed: "
            + (result.timedOut()
                ? "timed out after " + result.duration()
                : "exit code " + result.exitCode())
            + ": "
            + lastLines(stderr, 6);
    if (!result.timedOut()
        && (stderr.contains("password authentication failed")
            || stderr.contains("no password supplied")
            || stderr.contains("permission denied")
            || stderr.contains("server version mismatch")
            || stderr.contains("unsupported version"))) {
      return FailureType.PRECONDITION_FAILED.failure(message);
    }
    return FailureType.TRANSIENT.failure(message);
  }

  /** The last lines of a tool's stderr, without pg_restore's verbose progress lines. */
  static String lastLines(String text, int n) {
    List<String> lines =
        text.lines()
            .filter(l -> !l.isBlank())
            .filter(
                l ->
                    !l.startsWith("pg_restore: launching item")
                        && !l.startsWith("pg_restore: finished item")
                        && !l.startsWith("pg_restore: processing item")
                        && !l.startsWith("pg_restore: creating ")
                        && !l.startsWith("pg_restore: processing data"))
            // pg_dump --verbose: its progress lines, not its errors, warnings, details, hints
            .filter(l -> !l.startsWith("pg_dump: ") || PG_DUMP_MESSAGE.matcher(l).find())
            .toList();
    String joined = String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    return joined.length() <= 2000 ? joined : "…" + joined.substring(joined.length() - 2000);
  }

  private static final java.util.regex.Pattern PG_DUMP_MESSAGE =
      java.util.regex.Pattern.compile("^pg_dump: (error|warning|detail|hint|fatal)");

  static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
