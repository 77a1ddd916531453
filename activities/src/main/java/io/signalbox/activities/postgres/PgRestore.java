package io.signalbox.activities.postgres;

import static io.signalbox.activities.postgres.PgToolCommands.connectionArgs;
import static io.signalbox.activities.postgres.PgToolCommands.toolFailure;

import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import io.signalbox.activities.postgres.RestoreOutcome.RestorePreparation;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pg_restore} of a directory-format dump into a target that {@link RestoreTargetGuard}
 * checked and prepared. Part of {@link PgTools}.
 */
final class PgRestore {
  private static final Logger log = LoggerFactory.getLogger(PgTools.class);

  // With -j > 1 pg_restore reports both the start and the end of each table; alone only the start.
  // Its processes share one unbuffered stderr and write a message in pieces, so lines can come
  // interleaved: these counts drive heartbeats only, never the outcome.
  private static final Pattern TABLE_DATA_FINISHED =
      Pattern.compile("finished item (\\d+) TABLE DATA ");
  private static final Pattern TABLE_DATA_STARTED = Pattern.compile("processing data for table ");

  private final CommandRunner runner;
  private final PgToolLocator locator;
  private final Function<Endpoint, String> password;
  private final BiFunction<Endpoint, String, Connection> connect;
  private final Duration progressEvery;

  PgRestore(
      CommandRunner runner,
      PgToolLocator locator,
      Function<Endpoint, String> password,
      BiFunction<Endpoint, String, Connection> connect,
      Duration progressEvery) {
    this.runner = runner;
    this.locator = locator;
    this.password = password;
    this.connect = connect;
    this.progressEvery = progressEvery;
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
  RestoreOutcome restore(RestoreRequest request, Consumer<RestoreProgress> progress) {
    return restore(request, progress, RestoreLines.NONE, null);
  }

  /**
   * {@link #restore(RestoreRequest, Consumer)}, telling {@code lines} what pg_restore says (for
   * progress), and {@code tableDataLoaded} the dump id of each TABLE DATA entry as soon as
   * pg_restore reports it loaded (parallel full restores only: {@code pg_restore -j N} with N > 1
   * reports {@code finished item}; both are called from the thread that reads pg_restore's output,
   * so they must return quickly). {@code tableDataLoaded} may be null.
   */
  RestoreOutcome restore(
      RestoreRequest request,
      Consumer<RestoreProgress> progress,
      RestoreLines lines,
      java.util.function.IntConsumer tableDataLoaded) {
    if (request.copyId() == null || request.copyId().isBlank()) {
      throw FailureType.INVALID_INPUT.failure("restore: copyId is required");
    }
    Path dir = request.dir().toAbsolutePath();
    if (!Files.isRegularFile(dir.resolve("toc.dat"))) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "no directory-format dump at " + dir + " (toc.dat missing)");
    }
    Endpoint target = request.target();
    PgToolset tools = locator.locate();
    String appName = RestoreTargetGuard.applicationName(request.copyId());
    RestorePreparation preparation;
    try (Connection c = connect.apply(target, "signalbox-restore-guard")) {
      PgToolLocator.requireAtLeast(tools, Inspector.serverVersionNum(c), target.describe());
      preparation =
          request.dataOnlyOrDefault()
              ? RestoreTargetGuard.prepareDataOnly(
                  c,
                  target.describe(),
                  request.copyId(),
                  request.replaceTables(),
                  request.replacesCopyId())
              : Boolean.TRUE.equals(request.resetTarget())
                  ? RestoreTargetGuard.reset(c, target.describe(), request.copyId())
                  : RestoreTargetGuard.prepare(
                      c,
                      target.describe(),
                      request.copyId(),
                      Boolean.TRUE.equals(target.allowNonEmpty()));
    } catch (SQLException e) {
      throw FailureType.TRANSIENT.failure(
          "cannot prepare " + target.describe() + ": " + e.getMessage());
    }
    if (preparation == RestorePreparation.ALREADY_RESTORED) {
      return new RestoreOutcome(target.describe(), List.of(), preparation, 0, 0, "");
    }

    int total = countTableData(tools, dir, lines);
    Path useList = request.dataOnlyOrDefault() ? dataOnlyList(tools, dir, target) : null;
    List<String> argv = new ArrayList<>();
    argv.add(tools.pgRestore().toString());
    // Data only: serially, in the order of the list (parents before the tables that reference
    // them, see DataOnlyOrder); parallel jobs would ignore that order.
    argv.add("--jobs=" + (useList != null ? 1 : request.jobsOrDefault()));
    if (useList != null) {
      argv.add("--use-list=" + useList);
    }
    argv.add("--exit-on-error");
    argv.add("--verbose");
    if (request.dataOnlyOrDefault()) {
      argv.add("--data-only");
    }
    if (request.noOwnerOrDefault()) {
      argv.add("--no-owner");
    }
    if (request.noPrivilegesOrDefault()) {
      argv.add("--no-privileges");
    }
    argv.addAll(connectionArgs(target));
    argv.add(dir.toString());
    AtomicInteger done = new AtomicInteger();
    Pattern tableDone =
        useList == null && request.jobsOrDefault() > 1 ? TABLE_DATA_FINISHED : TABLE_DATA_STARTED;
    try (PgPassFile pgpass =
        PgPassFile.create(
            target.host(),
            target.portOrDefault(),
            target.database(),
            target.user(),
            password.apply(target))) {
      CommandSpec spec =
          PgToolCommands.pgCommand(argv, target, appName, pgpass)
              .withTimeout(request.timeoutOrDefault())
              .withProgressInterval(progressEvery)
              .withStderrLines(
                  line -> {
                    lines.outputLine(line);
                    java.util.regex.Matcher m = tableDone.matcher(line);
                    if (m.find()) {
                      done.incrementAndGet();
                      if (tableDataLoaded != null && tableDone == TABLE_DATA_FINISHED) {
                        tableDataLoaded.accept(Integer.parseInt(m.group(1)));
                      }
                    }
                  });
      CommandResult result =
          runner.run(
              spec,
              p -> {
                if (progress != null) {
                  progress.accept(
                      new RestoreProgress(
                          Math.min(done.get(), total), total, p.elapsed().toMillis()));
                }
              });
      deleteQuietly(useList);
      if (!result.succeeded()) {
        throw toolFailure("pg_restore into " + target.describe(), result);
      }
      try (Connection c = connect.apply(target, "signalbox-restore-guard")) {
        RestoreTargetGuard.markDone(c, request.copyId());
      } catch (SQLException e) {
        throw FailureType.TRANSIENT.failure(
            "restored, but cannot mark " + target.describe() + " as done: " + e.getMessage());
      }
      // Exit code 0 with --exit-on-error: every TABLE DATA entry of the dump was loaded.
      log.info("restored {} tables into {} in {}", total, target.describe(), result.duration());
      return new RestoreOutcome(
          target.describe(),
          result.argv(),
          preparation,
          total,
          result.duration().toMillis(),
          result.stderr().tail());
    }
  }

  /**
   * Writes the dump's table of contents with its table data ordered for a data-only restore into
   * the target's foreign keys (see {@link DataOnlyOrder}) to a temporary file.
   */
  private Path dataOnlyList(PgToolset tools, Path dir, Endpoint target) {
    List<String> lines = new ArrayList<>();
    CommandResult r =
        runner.run(
            CommandSpec.of(tools.pgRestore().toString(), "--list", dir.toString())
                .withTimeout(Duration.ofMinutes(5))
                .withStdoutLines(lines::add),
            null);
    if (!r.succeeded()) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "cannot read the dump at " + dir + ": " + r.summary());
    }
    java.util.Map<String, java.util.Set<String>> parents;
    try (Connection c = connect.apply(target, "signalbox-restore-guard")) {
      parents = DataOnlyOrder.foreignKeys(c);
    } catch (SQLException e) {
      throw FailureType.TRANSIENT.failure(
          "cannot read the foreign keys of " + target.describe() + ": " + e.getMessage());
    }
    try {
      Path list = Files.createTempFile("signalbox-data-only-", ".list");
      Files.write(list, DataOnlyOrder.reorder(lines, parents));
      return list;
    } catch (java.io.IOException e) {
      throw FailureType.TRANSIENT.failure("cannot write the restore list: " + e.getMessage());
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (java.io.IOException e) {
        log.warn("cannot delete {}: {}", file, e.getMessage());
      }
    }
  }

  /** The number of TABLE DATA entries in the dump's table of contents. */
  private int countTableData(PgToolset tools, Path dir, RestoreLines lines) {
    AtomicInteger count = new AtomicInteger();
    CommandResult r =
        runner.run(
            CommandSpec.of(tools.pgRestore().toString(), "--list", dir.toString())
                .withTimeout(Duration.ofMinutes(5))
                .withStdoutLines(
                    line -> {
                      lines.tocLine(line);
                      if (!line.startsWith(";") && line.contains(" TABLE DATA ")) {
                        count.incrementAndGet();
                      }
                    }),
            null);
    if (!r.succeeded()) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "cannot read the dump at " + dir + ": " + r.summary());
    }
    return count.get();
  }
}
