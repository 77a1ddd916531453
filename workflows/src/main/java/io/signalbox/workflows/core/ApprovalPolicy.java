package io.signalbox.workflows.core;

import java.time.Duration;
import java.util.ArrayList;
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

  /**
   * The gate timeout; {@link #problems} has refused one that does not parse before a gate opens.
   */
  public Duration timeoutOrDefault() {
    return timeout == null ? DEFAULT_TIMEOUT : Duration.parse(timeout);
  }

  /** The default gate timeout. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(24);

  /** The longest gate timeout: a year. A gate open longer is a run nobody remembers. */
  public static final Duration MAX_TIMEOUT = Duration.ofDays(366);

  /**
   * Why this policy cannot work for a run requested by {@code requestedBy}, one line per problem;
   * empty when it can.
   *
   * @param path the JSON path of the policy, e.g. {@code $.approvals}
   */
  public List<String> problems(String path, String requestedBy) {
    List<String> problems = new ArrayList<>();
    InputChecks.duration(
        path + ".timeout",
        timeout,
        DEFAULT_TIMEOUT,
        MAX_TIMEOUT,
        "set a shorter gate timeout",
        problems);
    List<String> listed = approversOrAnyone();
    if (!listed.isEmpty()) {
      List<String> able =
          listed.stream().filter(a -> allowsSelfApproval() || !a.equals(requestedBy)).toList();
      if (needed() > able.size()) {
        String who =
            able.size() == listed.size()
                ? "the approvers list has " + listed.size()
                : "only "
                    + able.size()
                    + " of the approvers may approve ("
                    + requestedBy
                    + " requested the run and selfApproval is false)";
        problems.add(
            path
                + ".minApprovals: "
                + needed()
                + " distinct approvals are needed but "
                + who
                + ": no gate could ever open; lower minApprovals or add approvers");
      }
    }
    return problems;
  }
}
