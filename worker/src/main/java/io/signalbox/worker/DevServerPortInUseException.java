package io.signalbox.worker;

/** The dev server's port is taken, most likely by another Temporal server. */
public class DevServerPortInUseException extends IllegalStateException {
  private final int port;

  public DevServerPortInUseException(int port, Throwable cause) {
    super(
        "cannot start the Temporal dev server: port "
            + port
            + " is already in use (is another Temporal server running there? choose another"
            + " port with --port or signalbox.dev-server.port)",
        cause);
    this.port = port;
  }

  /** The port that was taken. */
  public int port() {
    return port;
  }
}
