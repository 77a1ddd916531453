package io.signalbox.worker;

import io.temporal.testserver.TestServer;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.ServerSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Temporal dev server: the Temporal Java test server bound to a local port, in real time (time
 * skipping locked), so timers and gate deadlines behave as on a real server. It keeps everything in
 * memory: no persistence, no UI, no schedules.
 */
public final class DevServer implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(DevServer.class);

  private final int port;
  private final TestServer.PortBoundTestServer server;

  private DevServer(int port, TestServer.PortBoundTestServer server) {
    this.port = port;
    this.server = server;
  }

  /**
   * Binds the dev server to {@code port} on all interfaces.
   *
   * @throws DevServerPortInUseException when the port is taken (another Temporal server runs there)
   */
  public static DevServer start(int port) {
    // Check the port first: a failed bind inside the test server leaves its timer thread running,
    // which would keep the JVM alive after the failure.
    try (ServerSocket probe = new ServerSocket(port)) {
      probe.setReuseAddress(true);
    } catch (IOException e) {
      throw new DevServerPortInUseException(port, e);
    }
    TestServer.PortBoundTestServer server;
    try {
      // lockTimeSkipping = true: the test server runs in real time, like a real Temporal server.
      server = TestServer.createPortBoundServer(port, true);
    } catch (RuntimeException e) {
      if (causedByBind(e)) {
        throw new DevServerPortInUseException(port, e);
      }
      throw e;
    }
    log.warn(
        "Temporal dev server listening on localhost:{} (the Temporal Java test server, real time)."
            + " It keeps nothing on disk: every run is lost when this process stops. It has no UI"
            + " and no schedules. Use `docker compose up` for a real Temporal server with its UI.",
        port);
    return new DevServer(port, server);
  }

  /** A port that is free now (for tests and {@code signalbox.dev-server.port=0}). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot find a free port", e);
    }
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  @Override
  public void close() {
    log.info("Stopping the Temporal dev server on port {}", port);
    server.close();
  }

  private static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException
          || (t instanceof IOException && String.valueOf(t.getMessage()).contains("bind"))) {
        return true;
      }
    }
    return false;
  }
}
