package io.signalbox.activities.postgres;

import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code pg_amcheck} over one database, with the same conventions as {@link PgTools}: the binary
 * from the located client tools, an argv without secrets, the password through a temporary pgpass
 * file, libpq's own environment variables removed.
 */
public final class PgAmcheck {
  /** pg_amcheck's exit code when it found corruption (1 is "could not check"). */
  static final int CORRUPTION_FOUND = 2;

  private static final int MAX_PROBLEM_LINES = 20;
  private final PgTools tools;
  private final CommandRunner runner;

  public PgAmcheck(PgTools tools, CommandRunner runner) {
    this.tools = tools;
    this.runner = runner;
  }

  /**
   * What pg_amcheck found.
   *
   * @param corrupt whether it reported corruption (exit code 2)
   * @param problems the first lines of its report
   * @param argv the argv it ran with (no password)
   * @param durationMillis how long it ran
   */
  public record Outcome(
      boolean corrupt, List<String> problems, List<String> argv, long durationMillis) {}

  /** The pg_amcheck next to the located pg_dump. */
  public Path binary() {
    Path p = tools.locate().binDir().resolve("pg_amcheck");
    if (!Files.isExecutable(p)) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "pg_amcheck is not in "
              + p.getParent()
              + ": install the PostgreSQL client tools of version 14 or newer on the worker");
    }
    return p;
  }

  /** {@code pg_amcheck --version}. */
  public String version() {
    CommandResult r =
        runner.run(
            CommandSpec.of(binary().toString(), "--version").withTimeout(Duration.ofSeconds(30)),
            null);
    if (!r.succeeded()) {
      throw FailureType.PRECONDITION_FAILED.failure("pg_amcheck does not run: " + r.summary());
    }
    return r.stdout().tail().strip();
  }

  /**
   * Checks every table (heap) and B-tree index of the database, with {@code --heapallindexed}. The
   * {@code amcheck} extension must be installed in it.
   *
   * @param progress called every few seconds on this thread; may throw to cancel (kills it)
   * @throws io.temporal.failure.ApplicationFailure {@code Transient} when pg_amcheck could not
   *     check
   */
  public Outcome check(
      Endpoint database, int jobs, Duration timeout, CommandRunner.ProgressListener progress) {
    List<String> argv =
        List.of(
            binary().toString(),
            "--heapallindexed",
            "--jobs=" + Math.max(1, jobs),
            "--host=" + database.host(),
            "--port=" + database.portOrDefault(),
            "--username=" + database.user(),
            "--no-password",
            database.database());
    try (PgPassFile pgpass =
        PgPassFile.create(
            database.host(),
            database.portOrDefault(),
            null,
            database.user(),
            tools.password(database))) {
      CommandSpec spec =
          PgToolCommands.pgCommand(argv, database, "signalbox-amcheck", pgpass)
              .withTimeout(timeout);
      CommandResult r = runner.run(spec, progress);
      if (r.succeeded()) {
        return new Outcome(false, List.of(), r.argv(), r.duration().toMillis());
      }
      if (!r.timedOut() && r.exitCode() == CORRUPTION_FOUND) {
        List<String> lines =
            (r.stdout().tail() + "\n" + r.stderr().tail())
                .lines()
                .map(String::strip)
                .filter(l -> !l.isEmpty())
                .limit(MAX_PROBLEM_LINES)
                .toList();
        return new Outcome(true, lines, r.argv(), r.duration().toMillis());
      }
      throw FailureType.TRANSIENT.failure(
          "pg_amcheck of " + database.describe() + " could not check: " + r.summary());
    }
  }
}
