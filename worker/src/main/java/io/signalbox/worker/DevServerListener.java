package io.signalbox.worker;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Starts the {@link DevServer} when the {@code dev} profile is active. It listens for the prepared
 * environment, so the server is up before the Temporal starter builds its client and the worker
 * connects. It stops after the application context has closed (so the worker shuts down against a
 * live server), or when start-up fails.
 *
 * <p>Registered in {@code META-INF/spring.factories}, so it applies however the application starts
 * (the jar's main class or a test).
 */
public class DevServerListener implements ApplicationListener<ApplicationEvent>, Ordered {

  /** The profile that embeds the dev server. */
  public static final String PROFILE = "dev";

  private static final String PORT_PROPERTY = "signalbox.dev-server.port";
  private static final String BIND_PROPERTY = "signalbox.dev-server.bind";
  private static final String TARGET_PROPERTY = "spring.temporal.connection.target";

  private DevServer server;

  @Override
  public void onApplicationEvent(ApplicationEvent event) {
    if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
      start(prepared.getEnvironment());
    } else if (event instanceof ApplicationFailedEvent) {
      stop();
    }
  }

  private synchronized void start(ConfigurableEnvironment environment) {
    if (server != null || !environment.matchesProfiles(PROFILE)) {
      return;
    }
    int port = environment.getProperty(PORT_PROPERTY, Integer.class, 7233);
    String bind = environment.getProperty(BIND_PROPERTY, DevServer.DEFAULT_BIND);
    server = DevServer.start(bind, port == 0 ? DevServer.freePort() : port);
    // Port 0 picks a free port: publish the one taken, and point the worker at the address bound.
    environment
        .getPropertySources()
        .addFirst(
            new MapPropertySource(
                "signalboxDevServer",
                Map.of(PORT_PROPERTY, server.port(), TARGET_PROPERTY, server.clientTarget())));
    SpringApplication.getShutdownHandlers().add(this::stop);
  }

  private synchronized void stop() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  /** After the config data (application.yaml, profiles) has been loaded into the environment. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
