package io.signalbox.worker;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.Environment;

/**
 * When the worker cannot start because the Temporal frontend does not answer, says so in two lines
 * (what and what to do) instead of a gRPC stack trace.
 */
public class TemporalUnreachableFailureAnalyzer
    extends AbstractFailureAnalyzer<StatusRuntimeException> {
  private final Environment environment;

  public TemporalUnreachableFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, StatusRuntimeException cause) {
    Status.Code code = cause.getStatus().getCode();
    if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) {
      return null;
    }
    String target = environment.getProperty("spring.temporal.connection.target", "(not set)");
    return new FailureAnalysis(
        "The worker cannot reach the Temporal server at "
            + target
            + " ("
            + code
            + ": "
            + cause.getStatus().getDescription()
            + ").",
        "Start a Temporal server there (`./signalbox dev-server`, or `docker compose up`), run"
            + " `./signalbox dev` for a worker with its own dev server, or point the worker at"
            + " yours with TEMPORAL_ADDRESS.",
        cause);
  }
}
