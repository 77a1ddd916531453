package io.signalbox.worker;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Tells whether a Temporal frontend is the Temporal Java test server (what {@code signalbox
 * dev-server} and the {@code dev} profile run).
 *
 * <p>The signal: the test server serves Temporal's test service API ({@code
 * temporal.api.testservice.v1.TestService}: time skipping, sleeps) next to the workflow service,
 * and its gRPC health service reports that service as SERVING. A real Temporal server (including
 * {@code temporal server start-dev}) has no test service, and its health service answers NOT_FOUND
 * for an unknown service name. The test server's {@code GetSystemInfo} is no better signal: it
 * reports no server version, but neither may a proxy in front of a real server.
 */
public final class TestServerDetector {
  /** The gRPC service name only the test server registers. */
  static final String TEST_SERVICE = "temporal.api.testservice.v1.TestService";

  private TestServerDetector() {}

  /** What the frontend turned out to be. */
  public enum Kind {
    /** The Temporal Java test server (the dev server). */
    TEST_SERVER,
    /** A real Temporal server. */
    TEMPORAL_SERVER
  }

  /**
   * One health check of the test service, with a hard deadline.
   *
   * @throws StatusRuntimeException when the frontend cannot be reached or answers otherwise
   */
  public static Kind detect(WorkflowServiceStubs stubs, Duration deadline) {
    try {
      HealthCheckResponse.ServingStatus status =
          HealthGrpc.newBlockingStub(stubs.getRawChannel())
              .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
              .check(HealthCheckRequest.newBuilder().setService(TEST_SERVICE).build())
              .getStatus();
      return status == HealthCheckResponse.ServingStatus.SERVING
          ? Kind.TEST_SERVER
          : Kind.TEMPORAL_SERVER;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Kind.TEMPORAL_SERVER;
      }
      throw e;
    }
  }
}
