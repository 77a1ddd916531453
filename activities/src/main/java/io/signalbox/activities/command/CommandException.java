package io.signalbox.activities.command;

/** A command could not be started, or its caller was interrupted while it ran. */
public class CommandException extends RuntimeException {
  public CommandException(String message, Throwable cause) {
    super(message, cause);
  }
}
