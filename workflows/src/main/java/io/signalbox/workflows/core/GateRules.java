package io.signalbox.workflows.core;

import java.util.List;

/**
 * Who may decide a gate, from the run's {@link ApprovalPolicy} and who requested it (DESIGN.md,
 * "Common input fields"). Each method answers why a signal is refused, or null when it counts.
 * Pure: no Temporal call and no state of its own, so every rule is a plain unit test.
 */
final class GateRules {
  private final ApprovalPolicy policy;
  private final String requestedBy;

  GateRules(ApprovalPolicy policy, String requestedBy) {
    this.policy = policy == null ? ApprovalPolicy.DEFAULT : policy;
    this.requestedBy = requestedBy;
  }

  ApprovalPolicy policy() {
    return policy;
  }

  /**
   * Why an approval is refused, or null when it counts.
   *
   * @param open the gate open now, or null
   * @param paused whether the run is paused (no gate opens while it is)
   */
  String refuseApproval(Signals.Approve signal, Gate open, boolean paused) {
    if (signal == null || blank(signal.by())) {
      return "the approval names nobody: set \"by\"";
    }
    String by = signal.by();
    if (Limits.tooLong(by, Limits.NAME)) {
      return nameTooLong(by);
    }
    if (open == null) {
      return "no gate is open" + (paused ? " (the run is paused)" : "");
    }
    if (!open.name.equals(signal.gate())) {
      return wrongGate(signal.gate(), open);
    }
    List<String> approvers = policy.approversOrAnyone();
    if (!approvers.isEmpty() && !approvers.contains(by)) {
      return by + " is not one of the approvers " + approvers;
    }
    if (!policy.allowsSelfApproval() && by.equals(requestedBy)) {
      return "self-approval: " + by + " requested this run and may not approve it";
    }
    if (open.approvedBy.contains(by)) {
      return by + " has already approved; " + policy.needed() + " distinct approvers needed";
    }
    if (policy.commentRequired() && blank(signal.comment())) {
      return "a comment is required with an approval";
    }
    if (signal.planDigest() != null && !signal.planDigest().equals(open.digest)) {
      return "stale planDigest: the gate's report has digest " + open.digest;
    }
    return null;
  }

  /**
   * Why a rejection is refused, or null when it counts: an approver or the requester may reject.
   *
   * @param open the gate open now, or null
   */
  String refuseRejection(Signals.Reject signal, Gate open) {
    String by = signal == null ? null : signal.by();
    if (blank(by)) {
      return "the rejection names nobody: set \"by\"";
    }
    if (Limits.tooLong(by, Limits.NAME)) {
      return nameTooLong(by);
    }
    if (open == null) {
      return "no gate is open";
    }
    if (!open.name.equals(signal.gate())) {
      return wrongGate(signal.gate(), open);
    }
    List<String> approvers = policy.approversOrAnyone();
    if (!approvers.isEmpty() && !approvers.contains(by) && !by.equals(requestedBy)) {
      return by + " is neither an approver " + approvers + " nor the requester";
    }
    return null;
  }

  /**
   * Why a {@code pause} or {@code resume} is refused, or null. Anyone may pause or resume (the name
   * may even be absent), but a name longer than {@link Limits#NAME} is not kept.
   */
  static String refusePauseOrResume(String by) {
    return Limits.tooLong(by, Limits.NAME) ? nameTooLong(by) : null;
  }

  private static String nameTooLong(String by) {
    return "the name in \"by\" has "
        + by.length()
        + " characters; at most "
        + Limits.NAME
        + " are accepted";
  }

  private static String wrongGate(String asked, Gate open) {
    return "gate '"
        + Limits.cut(asked, Limits.NAME)
        + "' is not open; the open gate is '"
        + open.name
        + "'";
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
