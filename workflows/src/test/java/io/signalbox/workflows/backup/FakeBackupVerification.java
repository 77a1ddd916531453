package io.signalbox.workflows.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.GateDecision;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookStatus;
import io.signalbox.workflows.core.Signals;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in {@code BackupVerification} child for DrRehearsal's workflow tests: it takes a while
 * (workflow time), then passes with an RTO or fails with {@code VerificationFailed}, as the test
 * set it up per database name. It counts how many run at once.
 */
public class FakeBackupVerification implements BackupVerificationWorkflow {

  /** What the child with this name does: pass with this RTO, or fail with this message. */
  record Behaviour(Double rtoSeconds, String failure) {}

  static final Map<String, Behaviour> BEHAVIOUR = new ConcurrentHashMap<>();
  static final List<String> STARTED = new CopyOnWriteArrayList<>();
  static final List<JsonNode> INPUTS = new CopyOnWriteArrayList<>();
  static final AtomicInteger RUNNING = new AtomicInteger();
  static final AtomicInteger MAX_RUNNING = new AtomicInteger();

  static void reset() {
    BEHAVIOUR.clear();
    STARTED.clear();
    INPUTS.clear();
    RUNNING.set(0);
    MAX_RUNNING.set(0);
  }

  @Override
  public RunbookResult run(JsonNode input) {
    String name = input.path("name").asText();
    boolean counted = !Workflow.isReplaying();
    if (counted) {
      STARTED.add(Workflow.getInfo().getWorkflowId());
      INPUTS.add(input);
      MAX_RUNNING.accumulateAndGet(RUNNING.incrementAndGet(), Math::max);
    }
    try {
      Workflow.sleep(Duration.ofMinutes(10));
    } finally {
      if (counted) {
        RUNNING.decrementAndGet();
      }
    }
    Behaviour b = BEHAVIOUR.getOrDefault(name, new Behaviour(60.0, null));
    if (b.failure() != null) {
      RunbookResult failed =
          new RunbookResult(
              "FAILED",
              TYPE,
              "ev/" + name,
              null,
              null,
              List.of(),
              List.of(),
              FailureType.VERIFICATION_FAILED.type(),
              b.failure(),
              false,
              input.path("requestedBy").asText(),
              b.rtoSeconds());
      throw FailureType.VERIFICATION_FAILED.failure(b.failure(), failed);
    }
    return new RunbookResult(
        "COMPLETED",
        TYPE,
        "ev/" + name,
        null,
        null,
        List.of(),
        List.of(),
        null,
        "Completed.",
        false,
        input.path("requestedBy").asText(),
        b.rtoSeconds());
  }

  @Override
  public void approve(Signals.Approve approval) {}

  @Override
  public void reject(Signals.Reject rejection) {}

  @Override
  public GateDecision approveGate(Signals.Approve approval) {
    return null;
  }

  @Override
  public void refuseApproveGate(Signals.Approve approval) {}

  @Override
  public GateDecision rejectGate(Signals.Reject rejection) {
    return null;
  }

  @Override
  public void refuseRejectGate(Signals.Reject rejection) {}

  @Override
  public void pause(Signals.Pause pause) {}

  @Override
  public void resume(Signals.Resume resume) {}

  @Override
  public RunbookStatus status() {
    return null;
  }
}
