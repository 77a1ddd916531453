package io.signalbox.activities.command;

import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.activity.Activity;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Runs runbook commands through {@link CommandRunner}, heartbeating its progress. Cancellation and
 * heartbeat loss reach the runner as the exception thrown by {@code heartbeat}, which kills the
 * child and propagates.
 */
public class CommandActivitiesImpl implements CommandActivities {
  /**
   * What a runbook command (helm, kubectl, …) takes from the worker's environment beyond {@link
   * CommandRunner#BASE_ENV}: the kubeconfig and the in-cluster API address. Anything else it needs
   * comes from the input's {@code env} and {@code secretEnv}.
   */
  static final Set<String> COMMAND_ENV =
      Set.of("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT");

  static final int DEFAULT_TAIL = 16 * 1024;
  static final int MAX_TAIL = 256 * 1024;
  private static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(5);

  private final CommandRunner runner;
  private final Function<SecretRef, String> secrets;
  private final Duration heartbeatEvery;

  /**
   * @param runner runs the commands
   * @param secrets resolves a secret reference to its value (on the worker)
   */
  public CommandActivitiesImpl(CommandRunner runner, Function<SecretRef, String> secrets) {
    this(runner, secrets, HEARTBEAT_EVERY);
  }

  CommandActivitiesImpl(
      CommandRunner runner, Function<SecretRef, String> secrets, Duration heartbeatEvery) {
    this.runner = runner;
    this.secrets = secrets;
    this.heartbeatEvery = heartbeatEvery;
  }

  @Override
  public CommandOutput run(CommandInput input) {
    CommandSpec spec = spec(input);
    CommandResult result;
    try {
      result = runner.run(spec, progress -> Activity.getExecutionContext().heartbeat(progress));
    } catch (IllegalArgumentException e) {
      throw FailureType.INVALID_INPUT.failure("command: " + e.getMessage());
    } catch (CommandException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw e;
      }
      // Not installed or not executable: no retry on this worker will fix it.
      throw FailureType.PRECONDITION_FAILED.failure(e.getMessage());
    }
    return new CommandOutput(
        result.argv(),
        result.exitCode(),
        result.timedOut(),
        result.duration().toMillis(),
        result.stdout().tail(),
        result.stdout().totalBytes(),
        result.stdout().sha256(),
        result.stderr().tail(),
        result.stderr().totalBytes(),
        result.stderr().sha256());
  }

  private CommandSpec spec(CommandInput input) {
    if (input == null || input.argv() == null || input.argv().isEmpty()) {
      throw FailureType.INVALID_INPUT.failure("command: argv must be a non-empty list");
    }
    if (input.argv().stream().anyMatch(a -> a == null)) {
      throw FailureType.INVALID_INPUT.failure("command: argv must not contain null");
    }
    Duration timeout;
    try {
      timeout = input.timeout() == null ? Duration.ofMinutes(10) : Duration.parse(input.timeout());
    } catch (DateTimeParseException e) {
      throw FailureType.INVALID_INPUT.failure(
          "command.timeout: not an ISO-8601 duration: " + input.timeout());
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw FailureType.INVALID_INPUT.failure("command.timeout: must be positive");
    }
    int tail = input.tailBytes() == null ? DEFAULT_TAIL : input.tailBytes();
    if (tail <= 0 || tail > MAX_TAIL) {
      throw FailureType.INVALID_INPUT.failure(
          "command.tailBytes: must be between 1 and " + MAX_TAIL);
    }
    Map<String, String> secretValues = new LinkedHashMap<>();
    if (input.secretEnv() != null) {
      input.secretEnv().forEach((name, ref) -> secretValues.put(name, secrets.apply(ref)));
    }
    CommandSpec spec =
        CommandSpec.of(input.argv())
            .withTimeout(timeout)
            .withTailBytes(tail)
            .withProgressInterval(heartbeatEvery)
            .withInheritEnv(COMMAND_ENV)
            .withEnv(input.env())
            .withSecretEnv(secretValues);
    if (input.workingDir() != null) {
      spec = spec.withWorkingDir(Path.of(input.workingDir()));
    }
    return spec;
  }
}
