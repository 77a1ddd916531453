package io.signalbox.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/** The {@code dev} profile's dev server: bound where {@code signalbox.dev-server.bind} says. */
class DevServerListenerTest {

  @Test
  void bindsLoopbackByDefaultAndPointsTheWorkerAtIt() throws Exception {
    StandardEnvironment env = devEnvironment(Map.of("signalbox.dev-server.port", "0"));
    DevServerListener listener = new DevServerListener();
    SpringApplication app = new SpringApplication(Signalbox.class);
    listener.onApplicationEvent(
        new ApplicationEnvironmentPreparedEvent(
            new DefaultBootstrapContext(), app, new String[0], env));
    try {
      int port = env.getProperty("signalbox.dev-server.port", Integer.class);
      assertThat(port).isPositive();
      assertThat(env.getProperty("spring.temporal.connection.target"))
          .isEqualTo("127.0.0.1:" + port);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      }
      for (InetAddress other : DevServerTest.nonLoopbackAddresses()) {
        assertThatThrownBy(
                () -> {
                  try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(other, port), 2000);
                  }
                })
            .isInstanceOf(ConnectException.class);
      }
    } finally {
      listener.onApplicationEvent(new ApplicationFailedEvent(app, new String[0], null, null));
    }
  }

  @Test
  void bindPropertyChangesTheAddress() throws Exception {
    StandardEnvironment env =
        devEnvironment(
            Map.of("signalbox.dev-server.port", "0", "signalbox.dev-server.bind", "0.0.0.0"));
    DevServerListener listener = new DevServerListener();
    SpringApplication app = new SpringApplication(Signalbox.class);
    listener.onApplicationEvent(
        new ApplicationEnvironmentPreparedEvent(
            new DefaultBootstrapContext(), app, new String[0], env));
    try {
      int port = env.getProperty("signalbox.dev-server.port", Integer.class);
      // Every interface: the worker in the same process still connects through loopback.
      assertThat(env.getProperty("spring.temporal.connection.target"))
          .isEqualTo("127.0.0.1:" + port);
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      }
      for (InetAddress other : DevServerTest.nonLoopbackAddresses()) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(other, port), 2000);
          assertThat(s.isConnected()).isTrue();
        }
      }
    } finally {
      listener.onApplicationEvent(new ApplicationFailedEvent(app, new String[0], null, null));
    }
  }

  private static StandardEnvironment devEnvironment(Map<String, Object> properties) {
    StandardEnvironment env = new StandardEnvironment();
    env.setActiveProfiles(DevServerListener.PROFILE);
    env.getPropertySources().addFirst(new MapPropertySource("test", properties));
    return env;
  }
}
