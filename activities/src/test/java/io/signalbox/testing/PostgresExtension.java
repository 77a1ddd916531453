package io.signalbox.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives a test class N throwaway PostgreSQL servers ({@link
 * PostgresServer}), started in parallel.
 *
 * <pre>{@code
 * @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);
 * ... pg.server(0).jdbcUrl("postgres") ...
 * }</pre>
 *
 * <p>As a static field the servers live for the whole class (started before all tests, stopped and
 * deleted after all); as an instance field they are started and stopped around each test.
 */
public final class PostgresExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private final int count;
  private final Map<String, String> settings;
  private final List<PostgresServer> servers = new ArrayList<>();
  private boolean perTest;

  /** One server. */
  public PostgresExtension() {
    this(1);
  }

  /** {@code count} servers with the harness's default settings. */
  public PostgresExtension(int count) {
    this(count, Map.of());
  }

  /** {@code count} servers, each with these extra {@code postgresql.conf} settings. */
  public PostgresExtension(int count, Map<String, String> settings) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1");
    }
    this.count = count;
    this.settings = Map.copyOf(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    startAll();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stopAll();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    // Registered on an instance field, beforeAll never ran: servers per test.
    if (servers.isEmpty()) {
      perTest = true;
      startAll();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (perTest) {
      stopAll();
    }
  }

  /** Server {@code i} (0-based). */
  public PostgresServer server(int i) {
    if (servers.isEmpty()) {
      throw new IllegalStateException("servers are not started (is the extension registered?)");
    }
    return servers.get(i);
  }

  /** All servers, in order. */
  public List<PostgresServer> servers() {
    return List.copyOf(servers);
  }

  private synchronized void startAll() {
    List<CompletableFuture<PostgresServer>> starting = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      starting.add(CompletableFuture.supplyAsync(() -> PostgresServer.start(settings)));
    }
    RuntimeException failure = null;
    for (CompletableFuture<PostgresServer> f : starting) {
      try {
        servers.add(f.join());
      } catch (CompletionException e) {
        failure =
            e.getCause() instanceof RuntimeException r
                ? r
                : new IllegalStateException(e.getCause());
      }
    }
    if (failure != null) {
      stopAll();
      throw failure;
    }
  }

  private synchronized void stopAll() {
    RuntimeException failure = null;
    for (PostgresServer s : servers) {
      try {
        s.stop();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    servers.clear();
    if (failure != null) {
      throw failure;
    }
  }
}
