package io.signalbox.worker;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One gRPC health check of the Temporal frontend with a hard deadline. The SDK's own {@code
 * healthCheck()} and {@code connect()} retry with backoff well past a short deadline; an operator
 * waiting for a CLI answer, and a health endpoint, want one quick attempt.
 */
public final class TemporalProbe {
  private TemporalProbe() {}

  /**
   * Asks the frontend's health service whether the workflow service is serving.
   *
   * @throws io.grpc.StatusRuntimeException when it cannot be reached within {@code deadline}
   */
  public static HealthCheckResponse.ServingStatus check(
      WorkflowServiceStubs stubs, Duration deadline) {
    return HealthGrpc.newBlockingStub(stubs.getRawChannel())
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .check(
            HealthCheckRequest.newBuilder()
                .setService(WorkflowServiceStubs.HEALTH_CHECK_SERVICE_NAME)
                .build())
        .getStatus();
  }
}
