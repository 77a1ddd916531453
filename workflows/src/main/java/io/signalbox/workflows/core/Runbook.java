package io.signalbox.workflows.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The primitives every runbook is written with: named steps, approval gates, pause points,
 * compensation, dry run and input validation. One instance per workflow run, held in a field of the
 * workflow implementation, which forwards its signals and {@code status} query here.
 *
 * <p>Everything here runs in the workflow thread and is deterministic: time comes from {@link
 * Workflow#currentTimeMillis()}, waits from {@link Workflow#await}, and I/O only through
 * activities.
 *
 * @param <I> the runbook's input record
 */
public final class Runbook<I extends RunbookInput> {
  private static final Logger log = Workflow.getLogger(Runbook.class);

  private final String type;
  private final InputValidator<I> inputs;
  private final Notifications notifications;
  private final EvidenceRecorder evidence;

  private Phase phase = Phase.RUNNING;
  private final StepRunner steps = new StepRunner(this::publish);
  private final GateKeeper gates = new GateKeeper();
  private final Compensation compensation = new Compensation();
  private final StatusPublisher status;

  private String requestedBy;
  private boolean dryRun;

  private boolean pauseRequested;
  private String pausedBy;
  private String pauseReason;

  /**
   * @param type the workflow type, which also names the input schema ({@code runbooks/<kebab>/})
   * @param inputType the record the validated input maps onto
   */
  public Runbook(String type, Class<I> inputType) {
    this.type = type;
    this.notifications = new Notifications(type);
    this.status = new StatusPublisher(type);
    this.inputs = new InputValidator<>(type, inputType, notifications);
    this.evidence = new EvidenceRecorder(type, notifications);
  }

  /**
   * Runs a runbook: validates and maps the input, runs {@code body}, and on failure, rejection or
   * cancellation runs the registered undos in reverse before the run ends.
   *
   * @return the result of a completed run
   * @throws ApplicationFailure of a {@link FailureType} whose details are the {@link
   *     RunbookResult}, after compensation, for every end but success and cancellation
   * @throws CanceledFailure when the run was cancelled, after compensation
   */
  public RunbookResult execute(JsonNode rawInput, Consumer<I> body) {
    evidence.started();
    status.decide(inputs.activities());
    publish();
    I input;
    try {
      input = inputs.validate(rawInput);
    } catch (ApplicationFailure invalid) {
      phase = Phase.FAILED;
      publish();
      throw withResult(FailureType.INVALID_INPUT, invalid.getOriginalMessage());
    } catch (RuntimeException e) {
      throw failOnBug(e);
    }
    requestedBy = input.requestedBy();
    dryRun = Boolean.TRUE.equals(input.dryRun());
    gates.rules(new GateRules(input.approvals(), requestedBy));
    log.info("{} requested by {}{}", type, requestedBy, dryRun ? " (dry run)" : "");
    publish();
    try {
      body.accept(input);
    } catch (TemporalFailure failure) {
      boolean cancelled =
          CancellationScope.current().isCancelRequested() || failure instanceof CanceledFailure;
      steps.failRunning(cancelled ? "cancelled" : Failures.message(failure));
      gates.close();
      Compensation.Outcome undone = compensate();
      if (cancelled) {
        phase = Phase.CANCELLED;
        publish();
        log.info("{} cancelled; {}", type, undone.sentence());
        evidence.recordDetached(result(null, "Cancelled. " + undone.sentence()));
        throw failure instanceof CanceledFailure c ? c : new CanceledFailure("cancelled");
      }
      FailureType failureType = Failures.classify(failure);
      phase = undone.clean() ? Phase.ROLLED_BACK : Phase.FAILED;
      publish();
      throw withResult(failureType, withSentence(Failures.message(failure), undone.sentence()));
    } catch (RuntimeException e) {
      throw failOnBug(e);
    }
    phase = Phase.COMPLETED;
    steps.clearCurrent();
    publish();
    metric("signalbox_runbook_completed");
    return evidence.record(
        result(null, dryRun ? "Dry run completed: nothing was changed." : "Completed."));
  }

  /**
   * A bug in runbook code (README of {@code runbooks/}, "When a runbook has a bug"): left to the
   * SDK, it would fail the workflow task again and again, with the source frozen all along. The run
   * fails instead, after its undos, with {@code InternalError}. The SDK's own exceptions pass
   * through untouched.
   */
  private RuntimeException failOnBug(RuntimeException e) {
    if (!Failures.isBug(e)) {
      throw e;
    }
    String bug = Failures.describe(e);
    String where = steps.where();
    log.error("bug in runbook {}{}: {}", type, where, bug, e);
    steps.failRunning("bug: " + bug);
    gates.close();
    Compensation.Outcome undone = compensate();
    phase = undone.clean() ? Phase.ROLLED_BACK : Phase.FAILED;
    publish();
    return withResult(
        FailureType.INTERNAL_ERROR,
        "Bug in runbook "
            + type
            + where
            + ": "
            + bug
            + ". The run was ended instead of being retried for ever. "
            + undone.sentence()
            + " Report the bug with this run's id.");
  }

  // ---------------------------------------------------------------- steps

  /** A read-only step: runs in a dry run too. */
  public <T> T step(String name, Supplier<T> body) {
    pausePoint();
    return steps.run(name, body);
  }

  /** A read-only step without a value. */
  public void step(String name, Runnable body) {
    step(
        name,
        () -> {
          body.run();
          return null;
        });
  }

  /**
   * A step that changes the world. Its undo is registered before the step runs (so a step that
   * fails half-way is undone too: undos must tolerate "it never happened"). A dry run skips it and
   * returns null.
   */
  public <T> T change(String name, Runnable undo, Supplier<T> body) {
    pausePoint();
    if (dryRun) {
      steps.skipped(name, "dry run: not changed");
      publish();
      return null;
    }
    if (undo != null) {
      compensation.push(name, undo);
    }
    return steps.run(name, body);
  }

  /** A changing step without a value. */
  public void change(String name, Runnable undo, Runnable body) {
    change(
        name,
        undo,
        () -> {
          body.run();
          return null;
        });
  }

  /** Sets the detail line of the current step, e.g. what it found. */
  public void detail(String detail) {
    steps.detail(detail);
  }

  /** Records the verification report that the result and evidence carry. */
  public void verification(Object report) {
    evidence.verification(report);
  }

  /** Records the measured restore time (RTO) that the result of a backup restore carries. */
  public void rtoSeconds(double seconds) {
    evidence.rtoSeconds(seconds);
  }

  /**
   * Records what the run has switched so far (the facts a later {@code Rollback} undoes), carried
   * by the result and the evidence; each call replaces the previous record.
   */
  public void switched(Object facts) {
    evidence.switched(facts);
  }

  /** Records what a dry run would do. */
  public void plan(Object plan) {
    evidence.plan(plan);
  }

  public boolean dryRun() {
    return dryRun;
  }

  /** The run's notifications, e.g. to tell its end as an event of its own. */
  public Notifications notifications() {
    return notifications;
  }

  // ---------------------------------------------------------------- gates

  /**
   * Waits until the gate is approved by the policy's number of distinct approvers. Rejection and
   * timeout fail closed with {@code GateRejected} / {@code GateTimedOut}. A dry run skips gates.
   *
   * @param name the gate's name, as approvers send it in {@code approve}
   * @param prompt what approvers are asked
   * @param report what they decide on; its digest is the gate's {@code planDigest}
   */
  public void gate(String name, String prompt, Object report) {
    pausePoint();
    if (dryRun) {
      steps.skipped(name, "dry run: gate not opened");
      publish();
      return;
    }
    ApprovalPolicy policy = gates.policy();
    Duration timeout = policy.timeoutOrDefault();
    long since = Workflow.currentTimeMillis();
    Gate open =
        gates.open(
            name,
            prompt,
            Instant.ofEpochMilli(since).toString(),
            Instant.ofEpochMilli(since + timeout.toMillis()).toString(),
            report);
    int index = steps.begin(name, "waiting for approval");
    phase = Phase.WAITING_FOR_APPROVAL;
    publish();
    log.info("gate {} open until {}", name, open.deadline);
    notifications.gateOpened(name, open, policy, timeout);
    boolean decided = Workflow.await(timeout, open::decided);
    gates.close();
    notifications.gateClosed();
    if (!decided) {
      gates.timedOut(name, now(), timeout);
      steps.end(index, StepState.FAILED, "timed out: fails closed");
      phase = Phase.RUNNING;
      publish();
      throw FailureType.GATE_TIMED_OUT.failure(
          "Gate '"
              + name
              + "' got "
              + open.approvedBy.size()
              + " of "
              + policy.needed()
              + " approvals within "
              + timeout
              + " and was closed (gates fail closed).");
    }
    if (open.rejectedBy != null) {
      steps.end(index, StepState.FAILED, "rejected by " + open.rejectedBy);
      phase = Phase.RUNNING;
      publish();
      throw FailureType.GATE_REJECTED.failure(
          "Gate '" + name + "' was rejected by " + open.rejectedBy + ": " + open.rejectReason);
    }
    steps.end(index, StepState.DONE, "approved by " + String.join(", ", open.approvedBy));
    phase = Phase.RUNNING;
    publish();
  }

  /** The {@code approve} signal. Refused approvals leave the gate open and are recorded. */
  public void approve(Signals.Approve signal) {
    ApprovalRecord record = gates.approve(signal, now(), phase == Phase.PAUSED);
    if (record.refusal() != null) {
      log.warn(
          "approval of gate {} by {} refused: {}", record.gate(), record.by(), record.refusal());
      notifications.refused(record);
    }
    publish();
  }

  /** The {@code reject} signal: one rejection by an approver (or the requester) closes the gate. */
  public void reject(Signals.Reject signal) {
    notifications.refused(gates.reject(signal, now()));
    publish();
  }

  /**
   * The {@code approveGate} validator: refuses with the reason, so the caller learns it at once and
   * nothing enters the history. A validator may not change state, so this refusal is not in status
   * or evidence (the signal's refusals are); the worker logs it.
   */
  public void refuseApproveGate(Signals.Approve signal) {
    refuse(
        "approval",
        signal == null ? null : signal.gate(),
        signal == null ? null : signal.by(),
        gates.refusal(signal, phase == Phase.PAUSED));
  }

  /** The {@code approveGate} Update, once validated: counts the approval and answers with it. */
  public GateDecision approveGate(Signals.Approve signal) {
    ApprovalRecord record = gates.approve(signal, now(), phase == Phase.PAUSED);
    publish();
    if (record.refusal() != null) {
      // Not reached: the validator ran just before in the same workflow task.
      throw FailureType.APPROVAL_REFUSED.failure(record.refusal());
    }
    return gates.decision(record);
  }

  /** The {@code rejectGate} validator: refuses with the reason, as {@link #refuseApproveGate}. */
  public void refuseRejectGate(Signals.Reject signal) {
    refuse(
        "rejection",
        signal == null ? null : signal.gate(),
        signal == null ? null : signal.by(),
        gates.refusal(signal));
  }

  /** The {@code rejectGate} Update, once validated: counts the rejection and answers with it. */
  public GateDecision rejectGate(Signals.Reject signal) {
    ApprovalRecord record = gates.reject(signal, now());
    publish();
    if (record == null || record.refusal() != null) {
      throw FailureType.APPROVAL_REFUSED.failure(
          record == null ? "the gate is already decided" : record.refusal());
    }
    return gates.decision(record);
  }

  private static void refuse(String what, String gate, String by, String refusal) {
    if (refusal != null) {
      log.warn(
          "{} of gate {} by {} refused (Update, answered to the caller): {}",
          what,
          Limits.cut(gate, Limits.NAME),
          Limits.cut(by, Limits.NAME),
          refusal);
      throw FailureType.APPROVAL_REFUSED.failure(refusal);
    }
  }

  // ---------------------------------------------------------------- pause

  /** The {@code pause} signal: takes effect at the next step boundary. */
  public void pause(Signals.Pause signal) {
    String by = signal == null ? null : signal.by();
    String reason = signal == null ? null : signal.reason();
    if (gates.refusePauseOrResume("pause", by, reason, now())) {
      publish();
      return;
    }
    pauseRequested = true;
    pausedBy = by;
    pauseReason = Limits.cut(reason, Limits.TEXT);
    log.info("pause requested by {}: {}", pausedBy, pauseReason);
    publish();
  }

  /** The {@code resume} signal. */
  public void resume(Signals.Resume signal) {
    if (gates.refusePauseOrResume("resume", signal == null ? null : signal.by(), null, now())) {
      publish();
      return;
    }
    if (pauseRequested) {
      log.info("resumed by {}", signal == null ? null : signal.by());
    }
    pauseRequested = false;
    pausedBy = null;
    pauseReason = null;
    publish();
  }

  private void pausePoint() {
    if (!pauseRequested) {
      return;
    }
    Phase before = phase;
    phase = Phase.PAUSED;
    publish();
    Workflow.await(() -> !pauseRequested);
    phase = before;
    publish();
  }

  // ---------------------------------------------------------------- compensation

  /** Runs the undos in reverse, surviving cancellation, each recorded as a step. */
  private Compensation.Outcome compensate() {
    if (compensation.isEmpty()) {
      return compensation.undoAll((step, undo) -> {});
    }
    phase = Phase.ROLLING_BACK;
    publish();
    Compensation.Outcome[] outcome = new Compensation.Outcome[1];
    // Detached: a cancelled run must still lift the freeze and scale the app back.
    Workflow.newDetachedCancellationScope(
            () ->
                outcome[0] =
                    compensation.undoAll(
                        (step, undo) -> {
                          steps.run(
                              "undo:" + step,
                              () -> {
                                undo.run();
                                return null;
                              });
                          steps.lastUndone();
                        }))
        .run();
    publish();
    return outcome[0];
  }

  // ---------------------------------------------------------------- status, results

  /** The {@code status} query. */
  public RunbookStatus status() {
    return new RunbookStatus(
        type,
        phase,
        steps.current(),
        steps.records(),
        gates.current() == null ? null : gates.current().view(gates.policy()),
        gates.records(),
        dryRun,
        requestedBy,
        pauseRequested ? pausedBy : null,
        pauseRequested ? pauseReason : null);
  }

  private RunbookResult result(FailureType failureType, String message) {
    return evidence.result(
        phase, steps.records(), gates.records(), failureType, message, dryRun, requestedBy);
  }

  private ApplicationFailure withResult(FailureType failureType, String message) {
    metric("signalbox_runbook_failed");
    // Detached: the evidence of a run is written even while its scope is being cancelled.
    RunbookResult result = evidence.recordDetached(result(failureType, message));
    return ApplicationFailure.newNonRetryableFailure(message, failureType.type(), result);
  }

  /**
   * The current phase and step, shown in the Temporal UI as the run's current details and, where
   * the server has them, as search attributes (only those that changed).
   */
  private void publish() {
    status.publish(phase, dryRun, steps.current(), gates, pauseRequested, pausedBy, requestedBy);
  }

  private void metric(String name) {
    Workflow.getMetricsScope().tagged(Map.of("runbook", type)).counter(name).inc(1);
  }

  // ---------------------------------------------------------------- helpers

  static String now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString();
  }

  /**
   * The failure's message and what this run undid. A child runbook's message already ends with its
   * own sentence ("Nothing had been changed."): the same sentence is not said twice.
   */
  static String withSentence(String message, String sentence) {
    return message.strip().endsWith(sentence.strip()) ? message : message + " " + sentence;
  }
}
