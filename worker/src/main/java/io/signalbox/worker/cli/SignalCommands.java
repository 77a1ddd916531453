package io.signalbox.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code approve}, {@code reject}, {@code pause} and {@code resume}, with the JSON payloads of
 * DESIGN.md. {@code approve} and {@code reject} send the {@code approveGate} / {@code rejectGate}
 * Update, so the run answers at once: exit 0 with the decision (approvals counted, gate still open
 * or approved), or exit 1 with the reason it refused (approver list, self-approval, plan digest …).
 * With {@code --signal} they send the {@code approve} / {@code reject} signal instead, as the UI's
 * "Send signal" dialog does: fire and forget, and the run records a refusal in its status. {@code
 * pause} and {@code resume} are signals.
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

    /** The Update to send instead of the signal, or null to send the signal. */
    String updateName() {
      return null;
    }

    abstract ObjectNode payload();

    abstract String summary();

    @Override
    public Integer call() {
      String update = updateName();
      try (TemporalConnection temporal = TemporalConnection.open(root)) {
        WorkflowStub stub =
            temporal
                .client()
                .newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty());
        try {
          if (update != null) {
            JsonNode decision = update(stub, update);
            spec.commandLine()
                .getOut()
                .printf(
                    "%s (%s, %s).%n",
                    capitalize(decision.path("message").asText("accepted")), workflowId, summary());
            return 0;
          }
          stub.signal(signalName(), payload());
        } catch (WorkflowNotFoundException e) {
          throw ended(temporal, e);
        }
      }
      spec.commandLine()
          .getOut()
          .printf(
              "Sent %s to %s (%s). The run records whether it accepted it: signalbox status %s%n",
              signalName(), workflowId, summary(), workflowId);
      return 0;
    }

    /**
     * Sends the Update and waits for its answer, at most {@link #updateTimeout()}: a run whose
     * worker is down answers nothing, and the command must not hang.
     *
     * @throws CliException {@link CliException#FAILED} with the run's reason when it refused
     */
    private JsonNode update(WorkflowStub stub, String update) {
      ExecutorService caller = Executors.newSingleThreadExecutor();
      try {
        Future<JsonNode> answer =
            caller.submit(() -> stub.update(update, JsonNode.class, payload()));
        return answer.get(updateTimeout().toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        throw new CliException(
            CliException.FAILED,
            "run '"
                + workflowId
                + "' did not answer within "
                + updateTimeout().toSeconds()
                + "s (is a worker running?). The "
                + signalName()
                + " may still be applied when a worker picks it up: signalbox status "
                + workflowId,
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(CliException.FAILED, "interrupted", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof WorkflowNotFoundException notFound) {
          throw notFound;
        }
        if (cause instanceof WorkflowUpdateException refused
            && refused.getCause() instanceof ApplicationFailure reason) {
          throw new CliException(
              CliException.FAILED,
              "refused by run '"
                  + workflowId
                  + "': "
                  + reason.getOriginalMessage()
                  + " ("
                  + summary()
                  + ")",
              refused);
        }
        throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
      } finally {
        caller.shutdownNow();
      }
    }

    /** How long an Update may take: the worker may have to replay the history first. */
    private Duration updateTimeout() {
      return Duration.ofSeconds(
          Math.max(root.timeoutSeconds, TemporalConnection.QUERY_TIMEOUT.toSeconds()));
    }

    private CliException ended(TemporalConnection temporal, WorkflowNotFoundException e) {
      WorkflowExecutionInfo info = temporal.describe(workflowId).getWorkflowExecutionInfo();
      return new CliException(
          CliException.NOT_FOUND,
          "run '"
              + workflowId
              + "' has already ended ("
              + StatusView.executionStatus(info.getStatus())
              + "): "
              + (updateName() == null ? "signals" : "approvals")
              + " reach only open runs",
          e);
    }

    private static String capitalize(String s) {
      return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
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

  /** {@code approve <id> --gate G --as NAME [--comment C] [--plan-digest D] [--signal]}. */
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

    @Option(
        names = "--signal",
        description =
            "Send the approve signal (fire and forget) instead of the approveGate Update.")
    boolean signal;

    @Override
    String signalName() {
      return "approve";
    }

    @Override
    String updateName() {
      return signal ? null : "approveGate";
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

  /** {@code reject <id> --gate G --as NAME [--reason R] [--signal]}. */
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

    @Option(
        names = "--signal",
        description = "Send the reject signal (fire and forget) instead of the rejectGate Update.")
    boolean signal;

    @Override
    String signalName() {
      return "reject";
    }

    @Override
    String updateName() {
      return signal ? null : "rejectGate";
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
