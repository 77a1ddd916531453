package io.signalbox.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A real HTTP health endpoint on 127.0.0.1 for a runbook's health check: answers {@code path} with
 * the status a test sets (200 until then). Close it after the test.
 */
public final class HealthEndpoint implements AutoCloseable {
  private final HttpServer server;
  private volatile int status = 200;

  private HealthEndpoint(String path) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        path,
        exchange -> {
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
  }

  /** Starts answering {@code path} (e.g. {@code /api/healthz}) on a free port. */
  public static HealthEndpoint start(String path) throws IOException {
    HealthEndpoint endpoint = new HealthEndpoint(path);
    endpoint.server.start();
    return endpoint;
  }

  /** From now on every request is answered with {@code status}. */
  public void status(int status) {
    this.status = status;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
