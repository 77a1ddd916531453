package io.signalbox.workflows.core;

import io.temporal.activity.ActivityInterface;
import java.util.List;
import java.util.Map;

/**
 * Runs a command given in a runbook's input (e.g. {@code helm upgrade …}) on the worker: an argv
 * array, never a shell, with a timeout, heartbeating while it runs. Its output is captured bounded:
 * the workflow gets the tail, the byte counts and a digest of each stream.
 */
@ActivityInterface
public interface CommandActivities {

  /**
   * A command to run.
   *
   * @param argv the program and its arguments, passed as they are
   * @param timeout ISO-8601 duration after which the command is killed (default PT10M); keep it
   *     below the activity's start-to-close timeout
   * @param env environment variables to add (plain values, no secrets)
   * @param secretEnv environment variables whose values are secrets, by reference; resolved on the
   *     worker, never in argv, history or logs
   * @param workingDir the working directory on the worker, or null
   * @param tailBytes how much of the end of stdout and stderr to return (default 16384, at most
   *     262144)
   */
  record CommandInput(
      List<String> argv,
      String timeout,
      Map<String, String> env,
      Map<String, SecretRef> secretEnv,
      String workingDir,
      Integer tailBytes) {}

  /**
   * How the command ended. A non-zero exit or a timeout is a result: the workflow decides.
   *
   * @param argv the argv that was run
   * @param exitCode its exit code ({@code 128+signal} when killed)
   * @param timedOut whether the timeout killed it
   * @param durationMillis how long it ran
   * @param stdoutTail the end of its stdout
   * @param stdoutBytes every byte of stdout, counted
   * @param stdoutSha256 hex SHA-256 of all of stdout
   * @param stderrTail the end of its stderr
   * @param stderrBytes every byte of stderr, counted
   * @param stderrSha256 hex SHA-256 of all of stderr
   */
  record CommandOutput(
      List<String> argv,
      int exitCode,
      boolean timedOut,
      long durationMillis,
      String stdoutTail,
      long stdoutBytes,
      String stdoutSha256,
      String stderrTail,
      long stderrBytes,
      String stderrSha256) {

    /** Exit code 0 and not timed out. */
    public boolean succeeded() {
      return exitCode == 0 && !timedOut;
    }
  }

  /** Runs the command; fails with {@code InvalidInput} when the input cannot be run as given. */
  CommandOutput run(CommandInput input);
}
