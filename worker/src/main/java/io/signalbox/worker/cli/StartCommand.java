package io.signalbox.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.workflows.core.InputActivities;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code signalbox start <RunbookType> --input FILE.json [--id ID]}: checks the input locally with
 * the runbook's JSON Schema (the same check the runbook makes), then starts the run by workflow
 * type name with the file's JSON as its only argument, exactly as the UI's "Start workflow" does.
 */
@Command(
    name = "start",
    description = "Start a runbook with a JSON input file (checked before anything starts).")
class StartCommand implements Callable<Integer> {
  private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  @ParentCommand SignalboxCli root;
  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "RUNBOOK",
      description = "Workflow type, e.g. GiteaDbMigration.")
  String runbook;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "Input JSON file.")
  Path input;

  @Option(
      names = "--id",
      paramLabel = "ID",
      description = "Workflow id (default: <runbook-in-kebab-case>-<yyyyMMdd-HHmmss>).")
  String id;

  @Override
  public Integer call() {
    if (!InputActivitiesImpl.exists(runbook)) {
      throw new CliException(CliException.USAGE, InputActivitiesImpl.unknownRunbook(runbook));
    }
    JsonNode payload = JsonFiles.read(input);
    InputActivities.ValidationResult checked =
        new InputActivitiesImpl().validate(new InputActivities.ValidationRequest(runbook, payload));
    if (!checked.valid()) {
      throw new CliException(
          CliException.USAGE,
          input + " is not a valid " + runbook + " input: " + String.join("; ", checked.errors()));
    }
    String workflowId =
        id != null
            ? id
            : InputActivitiesImpl.kebab(runbook) + "-" + LocalDateTime.now().format(ID_TIME);
    try (TemporalConnection temporal = TemporalConnection.open(root)) {
      WorkflowStub stub =
          temporal
              .client()
              .newUntypedWorkflowStub(
                  runbook,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(workflowId)
                      .setTaskQueue(temporal.taskQueue())
                      .setWorkflowIdReusePolicy(
                          WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                      .build());
      WorkflowExecution execution = stub.start(payload);
      spec.commandLine()
          .getOut()
          .printf(
              "Started %s as %s (run %s) on task queue %s.%nFollow it: signalbox status %s%n",
              runbook,
              execution.getWorkflowId(),
              execution.getRunId(),
              temporal.taskQueue(),
              execution.getWorkflowId());
    }
    return 0;
  }
}
