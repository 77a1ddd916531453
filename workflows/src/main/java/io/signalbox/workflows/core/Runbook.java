package io.signalbox.workflows.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
  private final Class<I> inputType;
  private final InputActivities inputActivities;
  private final EvidenceActivities evidence;
  private String startedAt;

  private Phase phase = Phase.RUNNING;
  private String currentStep;
  private final List<StepRecord> steps = new ArrayList<>();
  private final List<ApprovalRecord> approvals = new ArrayList<>();
  private final Deque<Undo> undos = new ArrayDeque<>();

  private String requestedBy;
  private boolean dryRun;
  private ApprovalPolicy policy = ApprovalPolicy.DEFAULT;
  private OpenGate gate;

  private boolean pauseRequested;
  private String pausedBy;
  private String pauseReason;

  private JsonNode verification;
  private JsonNode plan;
  private Double rtoSeconds;

  /**
   * @param type the workflow type, which also names the input schema ({@code runbooks/<kebab>/})
   * @param inputType the record the validated input maps onto
   */
  public Runbook(String type, Class<I> inputType) {
    this.type = type;
    this.inputType = inputType;
    this.inputActivities =
        Workflow.newLocalActivityStub(
            InputActivities.class,
            LocalActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setMaximumAttempts(5)
                        .setDoNotRetry(FailureType.nonRetryableTypes())
                        .build())
                .build());
    this.evidence =
        Workflow.newActivityStub(
            EvidenceActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setMaximumInterval(Duration.ofMinutes(1))
                        .setMaximumAttempts(20)
                        .build())
                .build());
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
    startedAt = now();
    publish();
    I input;
    try {
      input = validate(rawInput);
    } catch (ApplicationFailure invalid) {
      phase = Phase.FAILED;
      publish();
      throw withResult(FailureType.INVALID_INPUT, invalid.getOriginalMessage());
    }
    requestedBy = input.requestedBy();
    dryRun = Boolean.TRUE.equals(input.dryRun());
    policy = input.approvals() == null ? ApprovalPolicy.DEFAULT : input.approvals();
    log.info("{} requested by {}{}", type, requestedBy, dryRun ? " (dry run)" : "");
    publish();
    try {
      body.accept(input);
    } catch (TemporalFailure failure) {
      boolean cancelled =
          CancellationScope.current().isCancelRequested() || failure instanceof CanceledFailure;
      failRunningSteps(cancelled ? "cancelled" : message(failure));
      gate = null;
      String undone = compensate();
      if (cancelled) {
        phase = Phase.CANCELLED;
        publish();
        log.info("{} cancelled; {}", type, undone);
        recordEvidenceDetached(result(null, "Cancelled. " + undone));
        throw failure instanceof CanceledFailure c ? c : new CanceledFailure("cancelled");
      }
      FailureType failureType = classify(failure);
      phase = undoneCleanly ? Phase.ROLLED_BACK : Phase.FAILED;
      publish();
      throw withResult(failureType, message(failure) + " " + undone);
    }
    phase = Phase.COMPLETED;
    currentStep = null;
    publish();
    metric("signalbox_runbook_completed");
    return recordEvidence(
        result(null, dryRun ? "Dry run completed: nothing was changed." : "Completed."));
  }

  // ---------------------------------------------------------------- steps

  /** A read-only step: runs in a dry run too. */
  public <T> T step(String name, Supplier<T> body) {
    pausePoint();
    return run(name, body);
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
      steps.add(new StepRecord(name, StepState.SKIPPED, now(), now(), "dry run: not changed"));
      publish();
      return null;
    }
    if (undo != null) {
      undos.push(new Undo(name, undo));
    }
    return run(name, body);
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
    for (int i = steps.size() - 1; i >= 0; i--) {
      StepRecord s = steps.get(i);
      if (s.name().equals(currentStep) && s.state() == StepState.RUNNING) {
        steps.set(i, new StepRecord(s.name(), s.state(), s.startedAt(), s.endedAt(), detail));
        publish();
        return;
      }
    }
  }

  /** Records the verification report that the result and evidence carry. */
  public void verification(Object report) {
    this.verification = Json.tree(report);
  }

  /** Records the measured restore time (RTO) that the result of a backup restore carries. */
  public void rtoSeconds(double seconds) {
    this.rtoSeconds = seconds;
  }

  /** Records what a dry run would do. */
  public void plan(Object plan) {
    this.plan = Json.tree(plan);
  }

  public boolean dryRun() {
    return dryRun;
  }

  private <T> T run(String name, Supplier<T> body) {
    currentStep = name;
    int index = steps.size();
    steps.add(new StepRecord(name, StepState.RUNNING, now(), null, null));
    publish();
    try {
      T value = body.get();
      StepRecord s = steps.get(index);
      steps.set(index, s.end(StepState.DONE, now(), s.detail()));
      publish();
      return value;
    } catch (TemporalFailure failure) {
      StepRecord s = steps.get(index);
      steps.set(index, s.end(StepState.FAILED, now(), message(failure)));
      publish();
      throw failure;
    }
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
      steps.add(new StepRecord(name, StepState.SKIPPED, now(), now(), "dry run: gate not opened"));
      publish();
      return;
    }
    Duration timeout = policy.timeoutOrDefault();
    JsonNode reportTree = report == null ? Json.mapper().createObjectNode() : Json.tree(report);
    long since = Workflow.currentTimeMillis();
    gate =
        new OpenGate(
            name,
            prompt,
            Instant.ofEpochMilli(since).toString(),
            Instant.ofEpochMilli(since + timeout.toMillis()).toString(),
            reportTree,
            Json.digest(reportTree));
    gate.needed = policy.needed();
    currentStep = name;
    int index = steps.size();
    steps.add(new StepRecord(name, StepState.RUNNING, now(), null, "waiting for approval"));
    phase = Phase.WAITING_FOR_APPROVAL;
    publish();
    log.info("gate {} open until {}", name, gate.deadline);
    OpenGate open = gate;
    boolean decided = Workflow.await(timeout, open::decided);
    gate = null;
    StepRecord s = steps.get(index);
    if (!decided) {
      approvals.add(
          new ApprovalRecord(
              name, ApprovalRecord.TIMED_OUT, null, now(), null, "no decision within " + timeout));
      steps.set(index, s.end(StepState.FAILED, now(), "timed out: fails closed"));
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
      steps.set(index, s.end(StepState.FAILED, now(), "rejected by " + open.rejectedBy));
      phase = Phase.RUNNING;
      publish();
      throw FailureType.GATE_REJECTED.failure(
          "Gate '" + name + "' was rejected by " + open.rejectedBy + ": " + open.rejectReason);
    }
    steps.set(
        index, s.end(StepState.DONE, now(), "approved by " + String.join(", ", open.approvedBy)));
    phase = Phase.RUNNING;
    publish();
  }

  /** The {@code approve} signal. Refused approvals leave the gate open and are recorded. */
  public void approve(Signals.Approve signal) {
    String by = signal == null ? null : signal.by();
    String gateName = signal == null ? null : signal.gate();
    String refusal = refusal(signal);
    if (refusal != null) {
      approvals.add(
          new ApprovalRecord(
              gateName, ApprovalRecord.REFUSED, by, now(), comment(signal), refusal));
      log.warn("approval of gate {} by {} refused: {}", gateName, by, refusal);
    } else {
      gate.approvedBy.add(by);
      approvals.add(
          new ApprovalRecord(gateName, ApprovalRecord.APPROVED, by, now(), signal.comment(), null));
    }
    publish();
  }

  private String refusal(Signals.Approve signal) {
    if (signal == null || blank(signal.by())) {
      return "the approval names nobody: set \"by\"";
    }
    if (gate == null) {
      return "no gate is open" + (phase == Phase.PAUSED ? " (the run is paused)" : "");
    }
    if (!gate.name.equals(signal.gate())) {
      return "gate '" + signal.gate() + "' is not open; the open gate is '" + gate.name + "'";
    }
    List<String> approvers = policy.approversOrAnyone();
    if (!approvers.isEmpty() && !approvers.contains(signal.by())) {
      return signal.by() + " is not one of the approvers " + approvers;
    }
    if (!policy.allowsSelfApproval() && signal.by().equals(requestedBy)) {
      return "self-approval: " + signal.by() + " requested this run and may not approve it";
    }
    if (gate.approvedBy.contains(signal.by())) {
      return signal.by()
          + " has already approved; "
          + policy.needed()
          + " distinct approvers needed";
    }
    if (policy.commentRequired() && blank(signal.comment())) {
      return "a comment is required with an approval";
    }
    if (signal.planDigest() != null && !signal.planDigest().equals(gate.digest)) {
      return "stale planDigest: the gate's report has digest " + gate.digest;
    }
    return null;
  }

  /** The {@code reject} signal: one rejection by an approver (or the requester) closes the gate. */
  public void reject(Signals.Reject signal) {
    String by = signal == null ? null : signal.by();
    String gateName = signal == null ? null : signal.gate();
    String reason = signal == null ? null : signal.reason();
    String refusal = null;
    if (blank(by)) {
      refusal = "the rejection names nobody: set \"by\"";
    } else if (gate == null) {
      refusal = "no gate is open";
    } else if (!gate.name.equals(gateName)) {
      refusal = "gate '" + gateName + "' is not open; the open gate is '" + gate.name + "'";
    } else if (!policy.approversOrAnyone().isEmpty()
        && !policy.approversOrAnyone().contains(by)
        && !by.equals(requestedBy)) {
      refusal = by + " is neither an approver " + policy.approversOrAnyone() + " nor the requester";
    }
    if (refusal != null) {
      approvals.add(
          new ApprovalRecord(gateName, ApprovalRecord.REFUSED, by, now(), reason, refusal));
    } else if (!gate.decided()) {
      gate.rejectedBy = by;
      gate.rejectReason = blank(reason) ? "no reason given" : reason;
      approvals.add(new ApprovalRecord(gateName, ApprovalRecord.REJECTED, by, now(), reason, null));
    }
    publish();
  }

  // ---------------------------------------------------------------- pause

  /** The {@code pause} signal: takes effect at the next step boundary. */
  public void pause(Signals.Pause signal) {
    pauseRequested = true;
    pausedBy = signal == null ? null : signal.by();
    pauseReason = signal == null ? null : signal.reason();
    log.info("pause requested by {}: {}", pausedBy, pauseReason);
    publish();
  }

  /** The {@code resume} signal. */
  public void resume(Signals.Resume signal) {
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

  private boolean undoneCleanly;

  /** Runs the undos in reverse, surviving cancellation; returns a sentence on what was undone. */
  private String compensate() {
    undoneCleanly = !undos.isEmpty();
    if (undos.isEmpty()) {
      return "Nothing had been changed.";
    }
    phase = Phase.ROLLING_BACK;
    publish();
    List<String> done = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    // Detached: a cancelled run must still lift the freeze and scale the app back.
    Workflow.newDetachedCancellationScope(
            () -> {
              while (!undos.isEmpty()) {
                Undo undo = undos.pop();
                try {
                  run(
                      "undo:" + undo.step,
                      () -> {
                        undo.action.run();
                        return null;
                      });
                  StepRecord last = steps.get(steps.size() - 1);
                  steps.set(
                      steps.size() - 1, last.end(StepState.UNDONE, last.endedAt(), last.detail()));
                  done.add(undo.step);
                } catch (TemporalFailure f) {
                  failed.add(undo.step + " (" + message(f) + ")");
                }
              }
            })
        .run();
    publish();
    undoneCleanly = failed.isEmpty();
    String sentence = "Undone: " + String.join(", ", done) + ".";
    if (!failed.isEmpty()) {
      sentence += " NOT undone, fix by hand: " + String.join("; ", failed) + ".";
    }
    return sentence;
  }

  private void failRunningSteps(String why) {
    for (int i = 0; i < steps.size(); i++) {
      StepRecord s = steps.get(i);
      if (s.state() == StepState.RUNNING) {
        steps.set(i, s.end(StepState.FAILED, now(), why));
      }
    }
  }

  // ---------------------------------------------------------------- status, results

  /** The {@code status} query. */
  public RunbookStatus status() {
    return new RunbookStatus(
        type,
        phase,
        currentStep,
        List.copyOf(steps),
        gate == null ? null : gate.view(policy),
        List.copyOf(approvals),
        dryRun,
        requestedBy,
        pauseRequested ? pausedBy : null,
        pauseRequested ? pauseReason : null);
  }

  private RunbookResult result(FailureType failureType, String message) {
    return new RunbookResult(
        phase.name(),
        type,
        null,
        verification,
        plan,
        List.copyOf(steps),
        List.copyOf(approvals),
        failureType == null ? null : failureType.type(),
        message,
        dryRun,
        requestedBy,
        rtoSeconds);
  }

  private ApplicationFailure withResult(FailureType failureType, String message) {
    metric("signalbox_runbook_failed");
    // Detached: the evidence of a run is written even while its scope is being cancelled.
    RunbookResult result = recordEvidenceDetached(result(failureType, message));
    return ApplicationFailure.newNonRetryableFailure(message, failureType.type(), result);
  }

  private RunbookResult recordEvidenceDetached(RunbookResult result) {
    RunbookResult[] recorded = {result};
    Workflow.newDetachedCancellationScope(() -> recorded[0] = recordEvidence(result)).run();
    return recorded[0];
  }

  /**
   * Writes the evidence and returns the result with its id. A failure to write evidence is logged
   * and the run keeps its outcome: the result then says so instead of carrying an id.
   */
  private RunbookResult recordEvidence(RunbookResult result) {
    try {
      EvidenceActivities.EvidenceRef ref =
          evidence.record(
              new EvidenceActivities.EvidenceInput(
                  Workflow.getInfo().getWorkflowId(),
                  Workflow.getInfo().getRunId(),
                  startedAt,
                  now(),
                  result));
      return result.withEvidenceId(ref.evidenceId());
    } catch (ActivityFailure failure) {
      log.error("evidence for {} could not be written: {}", type, message(failure));
      return result.withNote("(Evidence could not be written: " + message(failure) + ")");
    }
  }

  /** The current phase and step, shown in the Temporal UI as the run's current details. */
  private void publish() {
    StringBuilder md = new StringBuilder();
    md.append("**").append(type).append("** ").append(phase);
    if (dryRun) {
      md.append(" (dry run)");
    }
    if (currentStep != null) {
      md.append(" · step `").append(currentStep).append('`');
    }
    if (gate != null) {
      md.append("\n\nWaiting for approval of gate `")
          .append(gate.name)
          .append("` (")
          .append(gate.approvedBy.size())
          .append('/')
          .append(policy.needed())
          .append(") until ")
          .append(gate.deadline)
          .append(": ")
          .append(gate.prompt);
    }
    if (pauseRequested) {
      md.append("\n\nPause requested by ").append(pausedBy);
    }
    Workflow.setCurrentDetails(md.toString());
  }

  private void metric(String name) {
    Workflow.getMetricsScope().tagged(Map.of("runbook", type)).counter(name).inc(1);
  }

  // ---------------------------------------------------------------- input

  private I validate(JsonNode rawInput) {
    InputActivities.ValidationResult checked =
        inputActivities.validate(new InputActivities.ValidationRequest(type, rawInput));
    if (!checked.valid()) {
      throw FailureType.INVALID_INPUT.failure(
          "Invalid input for " + type + ": " + String.join("; ", checked.errors()));
    }
    try {
      return Json.map(rawInput, inputType);
    } catch (IllegalArgumentException e) {
      throw FailureType.INVALID_INPUT.failure("Invalid input for " + type + ": " + e.getMessage());
    }
  }

  // ---------------------------------------------------------------- helpers

  private static FailureType classify(TemporalFailure failure) {
    Throwable t = failure;
    while (t != null) {
      if (t instanceof ApplicationFailure app) {
        return FailureType.fromType(app.getType());
      }
      if (t instanceof TimeoutFailure) {
        return FailureType.STEP_FAILED;
      }
      t = t.getCause();
    }
    return FailureType.STEP_FAILED;
  }

  /** The innermost useful message: activity and child failures wrap the real one. */
  static String message(TemporalFailure failure) {
    Throwable t = failure;
    while ((t instanceof ActivityFailure || t instanceof ChildWorkflowFailure)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    if (t instanceof TemporalFailure tf) {
      return tf.getOriginalMessage();
    }
    return String.valueOf(t.getMessage());
  }

  private static String comment(Signals.Approve signal) {
    return signal == null ? null : signal.comment();
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString();
  }

  private record Undo(String step, Runnable action) {}

  private static final class OpenGate {
    final String name;
    final String prompt;
    final String since;
    final String deadline;
    final JsonNode report;
    final String digest;
    final Set<String> approvedBy = new LinkedHashSet<>();
    String rejectedBy;
    String rejectReason;
    int needed;

    OpenGate(
        String name, String prompt, String since, String deadline, JsonNode report, String digest) {
      this.name = name;
      this.prompt = prompt;
      this.since = since;
      this.deadline = deadline;
      this.report = report;
      this.digest = digest;
    }

    boolean decided() {
      return rejectedBy != null || (needed > 0 && approvedBy.size() >= needed);
    }

    PendingGate view(ApprovalPolicy policy) {
      return new PendingGate(
          name,
          prompt,
          since,
          deadline,
          policy.approversOrAnyone(),
          policy.needed(),
          List.copyOf(approvedBy),
          report,
          digest);
    }
  }
}
