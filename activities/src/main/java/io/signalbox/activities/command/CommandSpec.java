package io.signalbox.activities.command;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A command to run: an argv array (never a shell), its environment and its limits.
 *
 * <p>The child does not inherit the worker's environment: it gets {@link CommandRunner#BASE_ENV}
 * and the variables named in {@code inheritEnv} from it (those that are set), then {@code env} and
 * {@code secretEnv}. So no secret of the worker reaches a program that was not given it.
 *
 * <p>Secrets go in {@code secretEnv} only: they reach the child through its environment, are never
 * logged, and the runner refuses a spec whose argv contains one of their values (of 6 characters or
 * more: shorter ones would match innocent arguments).
 *
 * @param argv the program and its arguments, passed as they are (no quoting, no shell)
 * @param env variables set for the child (plain values)
 * @param secretEnv variables set for the child whose values are secrets
 * @param inheritEnv variables the child takes from the worker's environment when they are set,
 *     beyond {@link CommandRunner#BASE_ENV}
 * @param workingDir the child's working directory, or null for the worker's
 * @param timeout the child is killed (with its descendants) after this long
 * @param tailBytes how many bytes of the end of stdout and of stderr to keep
 * @param progressInterval how often the progress listener is called
 * @param stdoutLines called with each stdout line, on the pump thread; may be null
 * @param stderrLines called with each stderr line, on the pump thread; may be null
 */
public record CommandSpec(
    List<String> argv,
    Map<String, String> env,
    Map<String, String> secretEnv,
    Set<String> inheritEnv,
    Path workingDir,
    Duration timeout,
    int tailBytes,
    Duration progressInterval,
    Consumer<String> stdoutLines,
    Consumer<String> stderrLines) {

  public static final int DEFAULT_TAIL_BYTES = 64 * 1024;
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);

  public CommandSpec {
    Objects.requireNonNull(argv, "argv");
    if (argv.isEmpty() || argv.stream().anyMatch(Objects::isNull)) {
      throw new IllegalArgumentException("argv must be a non-empty list without nulls");
    }
    argv = List.copyOf(argv);
    env = env == null ? Map.of() : Map.copyOf(env);
    secretEnv = secretEnv == null ? Map.of() : Map.copyOf(secretEnv);
    inheritEnv = inheritEnv == null ? Set.of() : Set.copyOf(inheritEnv);
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive");
    }
    tailBytes = tailBytes <= 0 ? DEFAULT_TAIL_BYTES : tailBytes;
    progressInterval = progressInterval == null ? DEFAULT_PROGRESS_INTERVAL : progressInterval;
  }

  /** A spec with the defaults: 10 minute timeout, 64 KiB tails, progress every 5 seconds. */
  public static CommandSpec of(List<String> argv) {
    return new CommandSpec(argv, null, null, null, null, null, 0, null, null, null);
  }

  /** A spec with the defaults for these arguments. */
  public static CommandSpec of(String... argv) {
    return of(List.of(argv));
  }

  public CommandSpec withEnv(Map<String, String> extra) {
    return new CommandSpec(
        argv,
        merge(env, extra),
        secretEnv,
        inheritEnv,
        workingDir,
        timeout,
        tailBytes,
        progressInterval,
        stdoutLines,
        stderrLines);
  }

  public CommandSpec withSecretEnv(Map<String, String> extra) {
    return new CommandSpec(
        argv,
        env,
        merge(secretEnv, extra),
        inheritEnv,
        workingDir,
        timeout,
        tailBytes,
        progressInterval,
        stdoutLines,
        stderrLines);
  }

  /** Also passes these variables of the worker's environment, when they are set. */
  public CommandSpec withInheritEnv(Set<String> names) {
    Set<String> all = new java.util.LinkedHashSet<>(inheritEnv);
    all.addAll(names);
    return new CommandSpec(
        argv,
        env,
        secretEnv,
        all,
        workingDir,
        timeout,
        tailBytes,
        progressInterval,
        stdoutLines,
        stderrLines);
  }

  public CommandSpec withWorkingDir(Path dir) {
    return new CommandSpec(
        argv,
        env,
        secretEnv,
        inheritEnv,
        dir,
        timeout,
        tailBytes,
        progressInterval,
        stdoutLines,
        stderrLines);
  }

  public CommandSpec withTimeout(Duration value) {
    return new CommandSpec(
        argv,
        env,
        secretEnv,
        inheritEnv,
        workingDir,
        value,
        tailBytes,
        progressInterval,
        stdoutLines,
        stderrLines);
  }

  public CommandSpec withTailBytes(int value) {
    return new CommandSpec(
        argv,
        env,
        secretEnv,
        inheritEnv,
        workingDir,
        timeout,
        value,
        progressInterval,
        stdoutLines,
        stderrLines);
  }

  public CommandSpec withProgressInterval(Duration value) {
    return new CommandSpec(
        argv,
        env,
        secretEnv,
        inheritEnv,
        workingDir,
        timeout,
        tailBytes,
        value,
        stdoutLines,
        stderrLines);
  }

  public CommandSpec withStdoutLines(Consumer<String> listener) {
    return new CommandSpec(
        argv,
        env,
        secretEnv,
        inheritEnv,
        workingDir,
        timeout,
        tailBytes,
        progressInterval,
        listener,
        stderrLines);
  }

  public CommandSpec withStderrLines(Consumer<String> listener) {
    return new CommandSpec(
        argv,
        env,
        secretEnv,
        inheritEnv,
        workingDir,
        timeout,
        tailBytes,
        progressInterval,
        stdoutLines,
        listener);
  }

  /** Never prints secret values: only the names of the secret variables. */
  @Override
  public String toString() {
    return "CommandSpec[argv="
        + argv
        + ", env="
        + env.keySet()
        + ", secretEnv="
        + secretEnv.keySet()
        + ", inheritEnv="
        + inheritEnv
        + ", timeout="
        + timeout
        + "]";
  }

  private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
    Map<String, String> merged = new LinkedHashMap<>(a);
    if (b != null) {
      merged.putAll(b);
    }
    return merged;
  }
}
