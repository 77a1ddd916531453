package io.signalbox.worker.demo;

import java.util.List;

/** {@code signalbox dev --demo} cannot start its PostgreSQL servers: the binaries are missing. */
public class DemoUnavailableException extends RuntimeException {
  private final List<String> looked;

  public DemoUnavailableException(String message, List<String> looked) {
    super(message + " (looked in " + String.join(", ", looked) + ")");
    this.looked = List.copyOf(looked);
  }

  /** Where the binaries were looked for. */
  public List<String> looked() {
    return looked;
  }
}
