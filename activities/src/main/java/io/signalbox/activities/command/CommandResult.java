package io.signalbox.activities.command;

import java.time.Duration;
import java.util.List;

/**
 * How a command ended. A non-zero exit is a result, not an exception: the caller decides.
 *
 * @param argv the argv that was run (never holds a secret: those go through the environment)
 * @param pid the child's process id
 * @param exitCode the exit code ({@code 128+signal} when it was killed)
 * @param timedOut whether the timeout killed it
 * @param duration time from start to exit
 * @param stdout what it wrote to stdout
 * @param stderr what it wrote to stderr
 */
public record CommandResult(
    List<String> argv,
    long pid,
    int exitCode,
    boolean timedOut,
    Duration duration,
    OutputCapture stdout,
    OutputCapture stderr) {

  /** Exit code 0 and not timed out. */
  public boolean succeeded() {
    return exitCode == 0 && !timedOut;
  }

  /** One line for messages: the program, the exit and the last line of stderr. */
  public String summary() {
    String program = argv.isEmpty() ? "?" : argv.get(0);
    String how = timedOut ? "timed out after " + duration : "exited with " + exitCode;
    String last = lastLine(stderr.tail());
    return program + " " + how + (last.isEmpty() ? "" : ": " + last);
  }

  private static String lastLine(String text) {
    String trimmed = text.strip();
    int nl = trimmed.lastIndexOf('\n');
    return nl < 0 ? trimmed : trimmed.substring(nl + 1);
  }
}
