package io.signalbox.worker.cli;

/** A failure the CLI reports as one line on stderr with its own exit code, never a stack trace. */
public class CliException extends RuntimeException {
  /** Something else went wrong. */
  public static final int FAILED = 1;

  /** Bad usage or bad input: unknown runbook type, unreadable or invalid JSON, invalid input. */
  public static final int USAGE = 2;

  /** The workflow id (or namespace) does not exist, or the run has already ended. */
  public static final int NOT_FOUND = 3;

  /** The Temporal server cannot be reached. */
  public static final int UNREACHABLE = 4;

  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The process exit code for this failure. */
  public int exitCode() {
    return exitCode;
  }
}
