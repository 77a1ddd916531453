package io.signalbox.worker.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse;
import io.signalbox.worker.TemporalProbe;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** One connection of a CLI command to the Temporal frontend: the service stubs and a client. */
final class TemporalConnection implements AutoCloseable {
  /** How long a {@code status} query may take: the worker may have to replay the history. */
  static final Duration QUERY_TIMEOUT = Duration.ofSeconds(10);

  private final SignalboxCli options;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient client;

  private TemporalConnection(SignalboxCli options, WorkflowServiceStubs stubs) {
    this.options = options;
    this.stubs = stubs;
    this.client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace(options.namespace).build());
  }

  /**
   * Connects and checks the server answers within the {@code --timeout}.
   *
   * @throws CliException {@link CliException#UNREACHABLE} when it does not
   */
  static TemporalConnection open(SignalboxCli options) {
    Duration timeout = Duration.ofSeconds(Math.max(1, options.timeoutSeconds));
    WorkflowServiceStubsOptions.Builder stubOptions =
        WorkflowServiceStubsOptions.newBuilder()
            .setTarget(options.address)
            .setRpcQueryTimeout(QUERY_TIMEOUT);
    security(options, stubOptions);
    WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(stubOptions.build());
    try {
      HealthCheckResponse.ServingStatus serving = TemporalProbe.check(stubs, timeout);
      if (serving != HealthCheckResponse.ServingStatus.SERVING) {
        throw new IllegalStateException("its workflow service reports " + serving);
      }
      return new TemporalConnection(options, stubs);
    } catch (RuntimeException e) {
      stubs.shutdownNow();
      throw Errors.unreachable(options, e);
    }
  }

  /** TLS, mTLS and API key, as the Temporal CLI takes them. */
  private static void security(SignalboxCli options, WorkflowServiceStubsOptions.Builder builder) {
    if ((options.tlsCert == null) != (options.tlsKey == null)) {
      throw new CliException(
          CliException.USAGE, "mTLS needs both --tls-cert and --tls-key (or neither)");
    }
    if (options.tlsCert != null) {
      try (InputStream cert = Files.newInputStream(options.tlsCert);
          InputStream key = Files.newInputStream(options.tlsKey)) {
        builder.setSslContext(SimpleSslContextBuilder.forPKCS8(cert, key).build());
      } catch (IOException | RuntimeException e) {
        throw new CliException(
            CliException.USAGE,
            "cannot use the mTLS certificate "
                + options.tlsCert
                + " and key "
                + options.tlsKey
                + ": "
                + Errors.rootMessage(e),
            e);
      }
    } else if (options.tls || options.apiKey != null) {
      builder.setEnableHttps(true);
    }
    if (options.apiKey != null && !options.apiKey.isBlank()) {
      String apiKey = options.apiKey;
      builder.addApiKey(() -> apiKey);
    }
  }

  WorkflowClient client() {
    return client;
  }

  WorkflowServiceStubs stubs() {
    return stubs;
  }

  String namespace() {
    return options.namespace;
  }

  String taskQueue() {
    return options.taskQueue;
  }

  /**
   * Describes the latest run of a workflow id.
   *
   * @throws CliException {@link CliException#NOT_FOUND} when there is none
   */
  DescribeWorkflowExecutionResponse describe(String workflowId) {
    try {
      return stubs
          .blockingStub()
          .withDeadlineAfter(Math.max(1, options.timeoutSeconds), TimeUnit.SECONDS)
          .describeWorkflowExecution(
              DescribeWorkflowExecutionRequest.newBuilder()
                  .setNamespace(options.namespace)
                  .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                  .build());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw Errors.notFound(options, workflowId);
      }
      throw e;
    }
  }

  @Override
  public void close() {
    stubs.shutdownNow();
    stubs.awaitTermination(1, TimeUnit.SECONDS);
  }
}
