package io.signalbox.worker;

import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/health} component {@code temporal}: whether the Temporal frontend answers its
 * gRPC health check, with the server version it reports.
 */
@Component
public class TemporalHealthIndicator implements HealthIndicator {
  private static final long DEADLINE_SECONDS = 5;

  private final WorkflowServiceStubs stubs;

  public TemporalHealthIndicator(WorkflowServiceStubs stubs) {
    this.stubs = stubs;
  }

  @Override
  public Health health() {
    String target = stubs.getOptions().getTarget();
    try {
      HealthCheckResponse.ServingStatus serving =
          TemporalProbe.check(stubs, Duration.ofSeconds(DEADLINE_SECONDS));
      if (serving != HealthCheckResponse.ServingStatus.SERVING) {
        return Health.down().withDetail("target", target).withDetail("status", serving).build();
      }
      GetSystemInfoResponse info =
          stubs
              .blockingStub()
              .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
              .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      Health.Builder up = Health.up().withDetail("target", target);
      if (!info.getServerVersion().isEmpty()) {
        up.withDetail("serverVersion", info.getServerVersion());
      }
      return up.build();
    } catch (StatusRuntimeException e) {
      return Health.down()
          .withDetail("target", target)
          .withDetail("error", e.getStatus().getCode() + ": " + e.getStatus().getDescription())
          .build();
    } catch (RuntimeException e) {
      return Health.down(e).withDetail("target", target).build();
    }
  }
}
