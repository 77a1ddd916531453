package io.signalbox.workflows.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A gate while it is open: what it asks, who has approved so far, and whether it is decided. */
final class Gate {
  final String name;
  final String prompt;
  final String since;
  final String deadline;
  final JsonNode report;
  final String digest;
  final int needed;
  final Set<String> approvedBy = new LinkedHashSet<>();
  String rejectedBy;
  String rejectReason;

  /**
   * @param since when it opened (ISO-8601)
   * @param deadline when it rejects itself (ISO-8601)
   * @param report what approvers decide on
   * @param needed distinct approvals that open it
   */
  Gate(String name, String prompt, String since, String deadline, JsonNode report, int needed) {
    this.name = name;
    this.prompt = prompt;
    this.since = since;
    this.deadline = deadline;
    this.report = report;
    this.digest = Json.digest(report);
    this.needed = needed;
  }

  /** Rejected, or approved by the needed number of distinct approvers. */
  boolean decided() {
    return rejectedBy != null || (needed > 0 && approvedBy.size() >= needed);
  }

  /** As {@code status} shows it. */
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
