package io.signalbox.worker.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowStub;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code signalbox status <id> [--json]}: the run's {@code status} query, as a table or raw. */
@Command(name = "status", description = "Show a run: phase, steps, pending gate, approvals.")
class StatusCommand implements Callable<Integer> {
  @ParentCommand SignalboxCli root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ID", description = "Workflow id.")
  String workflowId;

  @Option(names = "--json", description = "Print the raw result of the status query.")
  boolean json;

  @Override
  public Integer call() throws JsonProcessingException {
    PrintWriter out = spec.commandLine().getOut();
    try (TemporalConnection temporal = TemporalConnection.open(root)) {
      DescribeWorkflowExecutionResponse description = temporal.describe(workflowId);
      JsonNode status = query(temporal, workflowId);
      if (json) {
        out.println(JsonFiles.MAPPER.writeValueAsString(status));
      } else {
        StatusView.print(out, description.getWorkflowExecutionInfo(), status);
      }
    }
    return 0;
  }

  /** The {@code status} query of the latest run of {@code workflowId}. */
  static JsonNode query(TemporalConnection temporal, String workflowId) {
    WorkflowStub stub =
        temporal.client().newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty());
    try {
      return stub.query("status", JsonNode.class);
    } catch (RuntimeException e) {
      if (Errors.grpcStatus(e) != null
          && Errors.grpcStatus(e).getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        throw e;
      }
      throw new CliException(
          CliException.FAILED,
          "run '"
              + workflowId
              + "' did not answer its status query ("
              + Errors.rootMessage(e)
              + "): is a Signalbox worker polling task queue '"
              + temporal.taskQueue()
              + "'?",
          e);
    }
  }
}
