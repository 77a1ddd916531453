package io.signalbox.worker.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowQueryException;

/** Turns whatever a command threw into the one line and exit code the CLI reports. */
final class Errors {
  private Errors() {}

  static CliException describe(Throwable e, SignalboxCli options) {
    if (e instanceof CliException cli) {
      return cli;
    }
    if (e instanceof WorkflowNotFoundException notFound) {
      return notFound(options, notFound.getExecution().getWorkflowId());
    }
    if (e instanceof WorkflowExecutionAlreadyStarted started) {
      return new CliException(
          CliException.FAILED,
          "a run with workflow id '"
              + started.getExecution().getWorkflowId()
              + "' already exists (ids are never reused): choose another with --id",
          e);
    }
    if (e instanceof WorkflowQueryException query) {
      return new CliException(
          CliException.FAILED, "the status query failed: " + rootMessage(query), e);
    }
    StatusRuntimeException status = grpcStatus(e);
    if (status != null) {
      Status.Code code = status.getStatus().getCode();
      if (code == Status.Code.UNAVAILABLE) {
        return unreachable(options, e);
      }
      if (code == Status.Code.NOT_FOUND) {
        return new CliException(CliException.NOT_FOUND, describe(status), e);
      }
      if (code == Status.Code.INVALID_ARGUMENT) {
        return new CliException(CliException.USAGE, describe(status), e);
      }
      if (code == Status.Code.DEADLINE_EXCEEDED) {
        return new CliException(
            CliException.UNREACHABLE,
            "the Temporal server at "
                + options.address
                + " did not answer in time ("
                + describe(status)
                + ")",
            e);
      }
      return new CliException(CliException.FAILED, describe(status), e);
    }
    return new CliException(CliException.FAILED, rootMessage(e), e);
  }

  static CliException notFound(SignalboxCli options, String workflowId) {
    return new CliException(
        CliException.NOT_FOUND,
        "no run with workflow id '"
            + workflowId
            + "' in namespace '"
            + options.namespace
            + "' (see `signalbox list`)");
  }

  static CliException unreachable(SignalboxCli options, Throwable e) {
    String why = unreachableReason(e);
    return new CliException(
        CliException.UNREACHABLE,
        "cannot reach the Temporal server at "
            + options.address
            + " within "
            + options.timeoutSeconds
            + " s ("
            + why
            + "); start one with `./signalbox dev` or `docker compose up`, or set --address /"
            + " TEMPORAL_ADDRESS",
        e);
  }

  private static String unreachableReason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return "connection refused";
      }
      if (t instanceof java.net.UnknownHostException) {
        return "unknown host";
      }
      if (t instanceof StatusRuntimeException s
          && s.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
        return "no answer";
      }
    }
    return rootMessage(e);
  }

  static StatusRuntimeException grpcStatus(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s) {
        return s;
      }
    }
    return null;
  }

  private static String describe(StatusRuntimeException e) {
    String description = e.getStatus().getDescription();
    return description == null || description.isBlank()
        ? e.getStatus().getCode().toString()
        : description;
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }
}
