package io.signalbox.workflows.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The gates of one run: the gate open now, and every decision and refused signal, as status and
 * evidence show them. It applies {@link GateRules} to the signals and bounds what it keeps (names
 * and texts, {@link Limits}). No Temporal call: the caller passes the time, and waits.
 */
final class GateKeeper {
  private final List<ApprovalRecord> records = new ArrayList<>();
  private GateRules rules = new GateRules(ApprovalPolicy.DEFAULT, null);
  private Gate open;

  /** The rules of this run, once its input is known. */
  void rules(GateRules rules) {
    this.rules = rules;
  }

  ApprovalPolicy policy() {
    return rules.policy();
  }

  /** Opens a gate; the policy says how many approvals it needs. */
  Gate open(String name, String prompt, String since, String deadline, Object report) {
    open =
        new Gate(
            name,
            prompt,
            since,
            deadline,
            report == null ? Json.mapper().createObjectNode() : Json.tree(report),
            rules.policy().needed());
    return open;
  }

  /** The gate open now, or null. */
  Gate current() {
    return open;
  }

  void close() {
    open = null;
  }

  /** Every decision and refused signal so far. */
  List<ApprovalRecord> records() {
    return List.copyOf(records);
  }

  /** Why an approval would be refused now, or null: the {@code approveGate} validator. */
  String refusal(Signals.Approve signal, boolean paused) {
    return rules.refuseApproval(signal, open, paused);
  }

  /**
   * Why a rejection would be refused now, or null: the {@code rejectGate} validator. Unlike the
   * signal, which ignores a rejection of a gate already decided, the Update refuses it, so the
   * caller learns that it changed nothing.
   */
  String refusal(Signals.Reject signal) {
    String refusal = rules.refuseRejection(signal, open);
    if (refusal == null && open.decided()) {
      return "gate '"
          + open.name
          + "' is already "
          + (open.rejectedBy != null ? "rejected by " + open.rejectedBy : "approved");
    }
    return refusal;
  }

  /** What an Update answers for a counted decision about the gate open now. */
  GateDecision decision(ApprovalRecord record) {
    int approvals = open.approvedBy.size();
    int needed = rules.policy().needed();
    String state =
        open.rejectedBy != null
            ? GateDecision.REJECTED
            : open.decided() ? GateDecision.APPROVED : GateDecision.OPEN;
    String message =
        switch (state) {
          case GateDecision.REJECTED ->
              "rejection counted; gate '"
                  + open.name
                  + "' is rejected: the run compensates and fails";
          case GateDecision.APPROVED ->
              "approval "
                  + approvals
                  + " of "
                  + needed
                  + " counted; gate '"
                  + open.name
                  + "' is approved: the run goes on";
          default ->
              "approval "
                  + approvals
                  + " of "
                  + needed
                  + " counted; gate '"
                  + open.name
                  + "' waits for "
                  + (needed - approvals)
                  + " more";
        };
    return new GateDecision(
        open.name, record.decision(), record.by(), approvals, needed, state, message);
  }

  /** The {@code approve} signal: counts it, or records why it is refused. */
  ApprovalRecord approve(Signals.Approve signal, String at, boolean paused) {
    String refusal = rules.refuseApproval(signal, open, paused);
    String gate = signal == null ? null : signal.gate();
    String by = signal == null ? null : signal.by();
    String comment = signal == null ? null : signal.comment();
    if (refusal != null) {
      return add(gate, ApprovalRecord.REFUSED, by, at, comment, refusal);
    }
    open.approvedBy.add(by);
    return add(gate, ApprovalRecord.APPROVED, by, at, comment, null);
  }

  /**
   * The {@code reject} signal: one rejection by an approver (or the requester) closes the gate. A
   * rejection of a gate already decided is ignored; returns null then.
   */
  ApprovalRecord reject(Signals.Reject signal, String at) {
    String refusal = rules.refuseRejection(signal, open);
    String gate = signal == null ? null : signal.gate();
    String by = signal == null ? null : signal.by();
    String reason = signal == null ? null : signal.reason();
    if (refusal != null) {
      return add(gate, ApprovalRecord.REFUSED, by, at, reason, refusal);
    }
    if (open.decided()) {
      return null;
    }
    open.rejectedBy = by;
    open.rejectReason =
        GateRules.blank(reason) ? "no reason given" : Limits.cut(reason, Limits.TEXT);
    return add(gate, ApprovalRecord.REJECTED, by, at, reason, null);
  }

  /**
   * A {@code pause} or {@code resume} whose name cannot be kept: recorded as refused (with no gate)
   * and returns true; otherwise records nothing and returns false.
   */
  boolean refusePauseOrResume(String signal, String by, String reason, String at) {
    String refusal = GateRules.refusePauseOrResume(by);
    if (refusal == null) {
      return false;
    }
    add(null, ApprovalRecord.REFUSED, by, at, reason, signal + " refused: " + refusal);
    return true;
  }

  /** A gate that nobody decided in time: it fails closed. */
  void timedOut(String gate, String at, Duration timeout) {
    add(gate, ApprovalRecord.TIMED_OUT, null, at, null, "no decision within " + timeout);
  }

  private ApprovalRecord add(
      String gate, String decision, String by, String at, String comment, String refusal) {
    ApprovalRecord record =
        new ApprovalRecord(
            Limits.cut(gate, Limits.NAME),
            decision,
            Limits.cut(by, Limits.NAME),
            at,
            Limits.cut(comment, Limits.TEXT),
            refusal);
    records.add(record);
    return record;
  }
}
