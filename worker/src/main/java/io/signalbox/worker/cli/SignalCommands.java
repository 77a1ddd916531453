package io.signalbox.worker.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code approve}, {@code reject}, {@code pause} and {@code resume}: the signals every runbook
 * takes, with the JSON payloads of DESIGN.md, as the UI's "Send signal" dialog sends them. The run
 * decides whether to accept a signal (approver list, self-approval, plan digest …) and records a
 * refusal in its status, so the command tells where to look.
 */
final class SignalCommands {
  private SignalCommands() {}

  /** What every signal command shares: the run, the sender, the connection. */
  abstract static class SignalCommand implements Callable<Integer> {
    @ParentCommand SignalboxCli root;
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ID", description = "Workflow id.")
    String workflowId;

    @Option(
        names = "--as",
        required = true,
        paramLabel = "NAME",
        description = "Who sends it (as the client says: see the docs on authentication).")
    String by;

    abstract String signalName();

    abstract ObjectNode payload();

    abstract String summary();

    @Override
    public Integer call() {
      try (TemporalConnection temporal = TemporalConnection.open(root)) {
        WorkflowStub stub =
            temporal
                .client()
                .newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty());
        try {
          stub.signal(signalName(), payload());
        } catch (WorkflowNotFoundException e) {
          WorkflowExecutionInfo info = temporal.describe(workflowId).getWorkflowExecutionInfo();
          throw new CliException(
              CliException.NOT_FOUND,
              "run '"
                  + workflowId
                  + "' has already ended ("
                  + StatusView.executionStatus(info.getStatus())
                  + "): signals reach only open runs",
              e);
        }
      }
      spec.commandLine()
          .getOut()
          .printf(
              "Sent %s to %s (%s). The run records whether it accepted it: signalbox status %s%n",
              signalName(), workflowId, summary(), workflowId);
      return 0;
    }

    ObjectNode node() {
      return JsonFiles.MAPPER.createObjectNode();
    }

    static void putIfPresent(ObjectNode node, String field, String value) {
      if (value != null) {
        node.put(field, value);
      }
    }
  }

  /** {@code approve <id> --gate G --as NAME [--comment C] [--plan-digest D]}. */
  @Command(name = "approve", description = "Approve a gate of a run.")
  static class Approve extends SignalCommand {
    @Option(
        names = "--gate",
        required = true,
        paramLabel = "GATE",
        description = "The gate's name.")
    String gate;

    @Option(names = "--comment", paramLabel = "TEXT", description = "Why (some runs require one).")
    String comment;

    @Option(
        names = "--plan-digest",
        paramLabel = "DIGEST",
        description = "The plan digest you approved (from status): refused if the plan changed.")
    String planDigest;

    @Override
    String signalName() {
      return "approve";
    }

    @Override
    ObjectNode payload() {
      ObjectNode node = node().put("gate", gate).put("by", by);
      putIfPresent(node, "comment", comment);
      putIfPresent(node, "planDigest", planDigest);
      return node;
    }

    @Override
    String summary() {
      return "gate " + gate + ", by " + by;
    }
  }

  /** {@code reject <id> --gate G --as NAME [--reason R]}. */
  @Command(name = "reject", description = "Reject a gate of a run: it compensates and fails.")
  static class Reject extends SignalCommand {
    @Option(
        names = "--gate",
        required = true,
        paramLabel = "GATE",
        description = "The gate's name.")
    String gate;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why.")
    String reason;

    @Override
    String signalName() {
      return "reject";
    }

    @Override
    ObjectNode payload() {
      ObjectNode node = node().put("gate", gate).put("by", by);
      putIfPresent(node, "reason", reason);
      return node;
    }

    @Override
    String summary() {
      return "gate " + gate + ", by " + by;
    }
  }

  /** {@code pause <id> --as NAME [--reason R]}. */
  @Command(name = "pause", description = "Pause a run at its next step boundary.")
  static class Pause extends SignalCommand {
    @Option(names = "--reason", paramLabel = "TEXT", description = "Why.")
    String reason;

    @Override
    String signalName() {
      return "pause";
    }

    @Override
    ObjectNode payload() {
      ObjectNode node = node().put("by", by);
      putIfPresent(node, "reason", reason);
      return node;
    }

    @Override
    String summary() {
      return "by " + by;
    }
  }

  /** {@code resume <id> --as NAME}. */
  @Command(name = "resume", description = "Resume a paused run.")
  static class Resume extends SignalCommand {
    @Override
    String signalName() {
      return "resume";
    }

    @Override
    ObjectNode payload() {
      return node().put("by", by);
    }

    @Override
    String summary() {
      return "by " + by;
    }
  }
}
