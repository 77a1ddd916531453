package io.signalbox.workflows.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Approval policies and durations that pass the schema but cannot work, without Temporal. */
class ApprovalPolicyTest {

  private static List<String> problems(ApprovalPolicy policy, String requestedBy) {
    return policy.problems("$.approvals", requestedBy);
  }

  @Test
  void aPolicyThatCanOpenItsGatesHasNoProblems() {
    assertThat(problems(ApprovalPolicy.DEFAULT, "carol")).isEmpty();
    assertThat(problems(new ApprovalPolicy(List.of("a", "b"), 2, false, false, "PT1H"), "c"))
        .isEmpty();
    // The requester counts when self-approval is allowed.
    assertThat(problems(new ApprovalPolicy(List.of("c", "b"), 2, true, false, null), "c"))
        .isEmpty();
    // Anyone may approve: any number of approvals can come.
    assertThat(problems(new ApprovalPolicy(List.of(), 5, false, false, null), "c")).isEmpty();
  }

  @Test
  void moreApprovalsThanThoseWhoMayApproveIsAProblem() {
    assertThat(problems(new ApprovalPolicy(List.of("a"), 2, false, false, null), "c"))
        .singleElement()
        .asString()
        .startsWith("$.approvals.minApprovals: 2 distinct approvals are needed")
        .contains("lower minApprovals or add approvers");
    assertThat(problems(new ApprovalPolicy(List.of("c"), 1, false, false, null), "c"))
        .singleElement()
        .asString()
        .contains("only 0 of the approvers may approve (c requested the run");
  }

  @Test
  void gateTimeoutsMustParseBePositiveAndAtMostAYear() {
    assertThat(problems(new ApprovalPolicy(null, null, null, null, "P367D"), "c"))
        .singleElement()
        .asString()
        .startsWith("$.approvals.timeout: P367D is longer than PT8784H");
    assertThat(problems(new ApprovalPolicy(null, null, null, null, "PT0.000S"), "c"))
        .singleElement()
        .asString()
        .contains("must be longer than zero");
    assertThat(problems(new ApprovalPolicy(null, null, null, null, "P9999999999999999999D"), "c"))
        .singleElement()
        .asString()
        .contains("is not a usable ISO-8601 duration");
  }

  @Test
  void aDurationCheckReturnsTheValueOrTheFallback() {
    List<String> problems = new ArrayList<>();
    assertThat(InputChecks.duration("$.t", null, Duration.ofMinutes(5), null, "", problems))
        .isEqualTo(Duration.ofMinutes(5));
    assertThat(InputChecks.duration("$.t", "PT2M", null, Duration.ofMinutes(2), "", problems))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(problems).isEmpty();
    assertThat(InputChecks.duration("$.t", "PT3M", null, Duration.ofMinutes(2), "why", problems))
        .isNull();
    assertThat(problems).containsExactly("$.t: PT3M is longer than PT2M, the most that works: why");
  }
}
