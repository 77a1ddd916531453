package io.signalbox.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.health.v1.HealthCheckResponse;
import io.signalbox.worker.cli.SignalboxCli;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The dev server binds its port, answers a fresh client, and refuses a taken port. */
class DevServerTest {

  @Test
  void bindsThePortAndAFreshClientConnects() {
    try (DevServer server = DevServer.start(DevServer.freePort())) {
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newConnectedServiceStubs(
              WorkflowServiceStubsOptions.newBuilder()
                  .setTarget("localhost:" + server.port())
                  .build(),
              Duration.ofSeconds(5));
      try {
        assertThat(TemporalProbe.check(stubs, Duration.ofSeconds(5)))
            .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
        WorkflowClient client = WorkflowClient.newInstance(stubs);
        WorkflowStub stub =
            client.newUntypedWorkflowStub(
                "AnyType",
                WorkflowOptions.newBuilder()
                    .setWorkflowId("dev-server-test")
                    .setTaskQueue("nobody")
                    .build());
        stub.start();
        assertThat(client.fetchHistory("dev-server-test").getHistory().getEventsCount())
            .isPositive();
        assertThat(stub.describe().getStatus())
            .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
      } finally {
        stubs.shutdownNow();
      }
    }
  }

  @Test
  void takenPortIsAClearError() {
    try (DevServer server = DevServer.start(DevServer.freePort())) {
      assertThatThrownBy(() -> DevServer.start(server.port()))
          .isInstanceOf(DevServerPortInUseException.class)
          .hasMessageContaining("port " + server.port() + " is already in use");
    }
  }

  @Test
  void devServerCommandServesUntilInterrupted() throws Exception {
    int port = DevServer.freePort();
    AtomicInteger exit = new AtomicInteger(-1);
    StringWriter out = new StringWriter();
    Thread command =
        new Thread(
            () ->
                exit.set(
                    SignalboxCli.execute(
                        new String[] {"dev-server", "--port", String.valueOf(port)},
                        new PrintWriter(out, true),
                        new PrintWriter(new StringWriter(), true))));
    command.start();
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    try {
      Instant deadline = Instant.now().plusSeconds(20);
      HealthCheckResponse.ServingStatus status = null;
      while (status == null && Instant.now().isBefore(deadline)) {
        try {
          status = TemporalProbe.check(stubs, Duration.ofSeconds(1));
        } catch (RuntimeException notYet) {
          Thread.sleep(100);
        }
      }
      assertThat(status).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    } finally {
      stubs.shutdownNow();
      command.interrupt();
      command.join(10_000);
    }
    assertThat(exit.get()).isZero();
    assertThat(out.toString()).contains("Temporal dev server on 127.0.0.1:" + port);
  }

  @Test
  void bindsLoopbackOnlyByDefault() throws Exception {
    try (DevServer server = DevServer.start(DevServer.freePort())) {
      assertThat(server.bindAddress().isLoopbackAddress()).isTrue();
      assertThat(server.clientTarget()).isEqualTo("127.0.0.1:" + server.port());
      try (Socket loopback = new Socket()) {
        loopback.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
        assertThat(loopback.isConnected()).isTrue();
      }
      // Every other address of this machine refuses the connection. A machine with only a
      // loopback interface has nothing to refuse; the bound address above is the check then.
      for (InetAddress other : nonLoopbackAddresses()) {
        assertThatThrownBy(
                () -> {
                  try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(other, server.port()), 2000);
                  }
                })
            .as("connection to %s:%d", other.getHostAddress(), server.port())
            .isInstanceOf(ConnectException.class);
      }
    }
  }

  @Test
  void bindsEveryInterfaceWhenAsked() throws Exception {
    try (DevServer server = DevServer.start("0.0.0.0", DevServer.freePort())) {
      assertThat(server.bindAddress().isAnyLocalAddress()).isTrue();
      assertThat(server.clientTarget()).isEqualTo("127.0.0.1:" + server.port());
      for (InetAddress other : nonLoopbackAddresses()) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(other, server.port()), 2000);
          assertThat(s.isConnected()).isTrue();
        }
      }
    }
  }

  @Test
  void anAddressOfAnotherMachineIsAClearError() {
    // TEST-NET-2 (RFC 5737): documentation only, no address of this machine.
    String foreign = "198.51.100.7";
    assertThatThrownBy(() -> DevServer.start(foreign, DevServer.freePort()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an address of this machine");
  }

  @Test
  void devServerCommandRefusesABadBindAddress() {
    StringWriter err = new StringWriter();
    int code =
        SignalboxCli.execute(
            new String[] {
              "dev-server", "--port", String.valueOf(DevServer.freePort()), "--bind", "198.51.100.7"
            },
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("not an address of this machine");
  }

  static List<InetAddress> nonLoopbackAddresses() throws Exception {
    List<InetAddress> out = new ArrayList<>();
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          out.add(a);
        }
      }
    }
    return out;
  }
}
