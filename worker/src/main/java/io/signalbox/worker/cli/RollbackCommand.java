package io.signalbox.worker.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.rollback.RollbackInput;
import io.signalbox.workflows.rollback.RollbackWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code signalbox rollback <workflowId> --as NAME [--carry-over] [--run-id R] [--approvals FILE]
 * [--dry-run]}: starts {@code Rollback} of a completed migration under the workflow id {@code
 * rollback-<workflowId>}. Only a failed rollback may be started again under that id, so two
 * rollbacks of one run never run at once and a completed one is not repeated.
 */
@Command(
    name = "rollback",
    description =
        "Put an app back on its old database after a completed migration (gate 'rollback').")
class RollbackCommand implements Callable<Integer> {

  @ParentCommand SignalboxCli root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "WORKFLOW_ID", description = "The migration's workflow id.")
  String workflowId;

  @Option(names = "--as", required = true, paramLabel = "NAME", description = "Who requests it.")
  String requestedBy;

  @Option(
      names = "--carry-over",
      description = "Copy rows written on the new database since the switch back to the old one.")
  boolean carryOver;

  @Option(names = "--run-id", paramLabel = "RUN_ID", description = "The migration's run id.")
  String runId;

  @Option(
      names = "--approvals",
      paramLabel = "FILE",
      description = "JSON file with the approval policy of gate 'rollback' (approvers, timeout).")
  Path approvals;

  @Option(names = "--dry-run", description = "Measure and report only; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    ObjectNode payload = JsonNodeFactory.instance.objectNode();
    payload.put("workflowId", workflowId);
    if (runId != null) {
      payload.put("runId", runId);
    }
    payload.put("requestedBy", requestedBy);
    payload.put("carryOver", carryOver);
    if (dryRun) {
      payload.put("dryRun", true);
    }
    if (approvals != null) {
      payload.set("approvals", JsonFiles.read(approvals));
    }
    InputActivities.ValidationResult checked =
        new InputActivitiesImpl()
            .validate(new InputActivities.ValidationRequest(RollbackWorkflow.TYPE, payload));
    if (!checked.valid()) {
      throw new CliException(
          CliException.USAGE, "not a valid Rollback input: " + String.join("; ", checked.errors()));
    }
    String id = RollbackInput.id(workflowId);
    try (TemporalConnection temporal = TemporalConnection.open(root)) {
      WorkflowStub stub =
          temporal
              .client()
              .newUntypedWorkflowStub(
                  RollbackWorkflow.TYPE,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(id)
                      .setTaskQueue(temporal.taskQueue())
                      .setWorkflowIdReusePolicy(
                          WorkflowIdReusePolicy
                              .WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                      .build());
      WorkflowExecution execution;
      try {
        execution = stub.start(payload);
      } catch (WorkflowExecutionAlreadyStarted e) {
        throw new CliException(
            CliException.FAILED,
            "a rollback of "
                + workflowId
                + " is running or has completed ("
                + id
                + "): see signalbox status "
                + id,
            e);
      }
      spec.commandLine()
          .getOut()
          .printf(
              "Started Rollback of %s as %s (run %s)%s.%n"
                  + "It stops at gate 'rollback' with what would be left behind: signalbox status"
                  + " %s%n",
              workflowId,
              execution.getWorkflowId(),
              execution.getRunId(),
              carryOver ? ", carrying rows over" : "",
              execution.getWorkflowId());
    }
    return 0;
  }
}
