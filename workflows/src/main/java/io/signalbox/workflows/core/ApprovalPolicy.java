package io.signalbox.workflows.core;

import java.time.Duration;
import java.util.List;

/**
 * Who may open a gate, from the input's {@code approvals} object.
 *
 * @param approvers who may approve; empty or absent means anyone
 * @param minApprovals distinct approvers needed (default 1)
 * @param selfApproval whether {@code requestedBy} may approve (default false)
 * @param requireComment whether an approval needs a comment (default false)
 * @param timeout ISO-8601 duration after which the gate rejects itself (default PT24H)
 */
public record ApprovalPolicy(
    List<String> approvers,
    Integer minApprovals,
    Boolean selfApproval,
    Boolean requireComment,
    String timeout) {

  public static final ApprovalPolicy DEFAULT = new ApprovalPolicy(List.of(), 1, false, false, null);

  public List<String> approversOrAnyone() {
    return approvers == null ? List.of() : approvers;
  }

  public int needed() {
    return minApprovals == null ? 1 : minApprovals;
  }

  public boolean allowsSelfApproval() {
    return Boolean.TRUE.equals(selfApproval);
  }

  public boolean commentRequired() {
    return Boolean.TRUE.equals(requireComment);
  }

  public Duration timeoutOrDefault() {
    return timeout == null ? Duration.ofHours(24) : Duration.parse(timeout);
  }
}
