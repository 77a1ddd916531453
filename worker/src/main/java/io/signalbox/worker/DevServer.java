package io.signalbox.worker;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.temporal.internal.testservice.GRPCServerHelper;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.Closeable;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Temporal dev server: the Temporal Java test server bound to a local port, in real time (time
 * skipping locked), so timers and gate deadlines behave as on a real server. It keeps everything in
 * memory: no persistence, no UI, no schedules.
 *
 * <p>It binds {@link #DEFAULT_BIND 127.0.0.1} unless told otherwise: it is an unauthenticated
 * frontend, and anyone who reaches it can start runs and approve gates under any name. The test
 * server's own {@code TestServer.createPortBoundServer} binds every interface, so the gRPC server
 * is built here, on the address asked for, with the test server's services.
 */
public final class DevServer implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(DevServer.class);

  /** The address the dev server binds unless told otherwise. */
  public static final String DEFAULT_BIND = "127.0.0.1";

  private final InetSocketAddress address;
  private final TestServicesStarter services;
  private final Server server;

  private DevServer(InetSocketAddress address, TestServicesStarter services, Server server) {
    this.address = address;
    this.services = services;
    this.server = server;
  }

  /** Binds the dev server to {@code port} on 127.0.0.1. */
  public static DevServer start(int port) {
    return start(DEFAULT_BIND, port);
  }

  /**
   * Binds the dev server to {@code bind}:{@code port}. Any address other than a loopback one is
   * logged as a warning: whoever reaches it can start runs and approve under any name.
   *
   * @param bind an IP address or host name of this machine ({@code 0.0.0.0}: every interface)
   * @throws DevServerPortInUseException when the port is taken (another Temporal server runs there)
   * @throws IllegalArgumentException when {@code bind} is not an address of this machine
   */
  public static DevServer start(String bind, int port) {
    InetAddress host = resolve(bind);
    // Check the port first, so a taken port is a clear error before any server thread starts.
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (BindException e) {
      if (String.valueOf(e.getMessage()).contains("assign")) {
        throw new IllegalArgumentException(
            "cannot bind the Temporal dev server to " + bind + ": not an address of this machine",
            e);
      }
      throw new DevServerPortInUseException(port, e);
    } catch (IOException e) {
      throw new DevServerPortInUseException(port, e);
    }
    InetSocketAddress address = new InetSocketAddress(host, port);
    // lockTimeSkipping = true: the test server runs in real time, like a real Temporal server.
    TestServicesStarter services = new TestServicesStarter(true, 0);
    Server server;
    try {
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(address, InsecureServerCredentials.create());
      GRPCServerHelper.registerServicesAndHealthChecks(services.getServices(), builder);
      server = builder.build().start();
    } catch (IOException | RuntimeException e) {
      services.close();
      if (causedByBind(e)) {
        throw new DevServerPortInUseException(port, e);
      }
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
    log.warn(
        "Temporal dev server listening on {}:{} (the Temporal Java test server, real time)."
            + " It keeps nothing on disk: every run is lost when this process stops. It has no UI"
            + " and no schedules. Use `docker compose up` for a real Temporal server with its UI.",
        host.getHostAddress(),
        port);
    if (!host.isLoopbackAddress()) {
      log.warn(
          "The Temporal dev server listens on {}:{}, not on a loopback address: it authenticates"
              + " nobody, so anyone who can reach it{} can start runbooks and approve gates under"
              + " any name. Bind it to 127.0.0.1 (the default) unless that is what you want.",
          host.getHostAddress(),
          port,
          host.isAnyLocalAddress() ? " on any interface of this machine" : "");
    }
    return new DevServer(address, services, server);
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
    return address.getPort();
  }

  /** The address it listens on. */
  public InetAddress bindAddress() {
    return address.getAddress();
  }

  /**
   * The {@code host:port} a client on this machine connects to: the bound address, or 127.0.0.1
   * when it listens on every interface.
   */
  public String clientTarget() {
    InetAddress host = address.getAddress();
    if (host.isAnyLocalAddress()) {
      return "127.0.0.1:" + port();
    }
    String ip = host.getHostAddress();
    return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port();
  }

  @Override
  public void close() {
    log.info("Stopping the Temporal dev server on {}", clientTarget());
    try {
      server.shutdown();
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("The Temporal dev server did not stop in 5 s; stopping it now");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      services.close();
      server.shutdownNow();
    }
  }

  private static InetAddress resolve(String bind) {
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException("the dev server's bind address is empty");
    }
    try {
      return InetAddress.getByName(bind.trim());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          "cannot bind the Temporal dev server to " + bind + ": unknown host", e);
    }
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
