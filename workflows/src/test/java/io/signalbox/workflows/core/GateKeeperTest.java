package io.signalbox.workflows.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a run keeps of the signals it gets: decisions, refusals, and nothing unbounded. */
class GateKeeperTest {
  private static final String MEGABYTE = "x".repeat(1 << 20);
  private final GateKeeper gates = new GateKeeper();

  GateKeeperTest() {
    gates.rules(new GateRules(new ApprovalPolicy(List.of(), 1, false, false, null), "carol"));
  }

  @Test
  void anApprovalOpensTheGateAndIsRecorded() {
    Gate open = gates.open("go", "go?", "t0", "t1", null);
    ApprovalRecord r = gates.approve(new Signals.Approve("go", "bob", "fine", null), "t2", false);
    assertThat(r).isEqualTo(new ApprovalRecord("go", "APPROVED", "bob", "t2", "fine", null));
    assertThat(open.decided()).isTrue();
    assertThat(gates.records()).containsExactly(r);
  }

  @Test
  void aRejectionClosesTheGateOnceAndKeepsTheReason() {
    Gate open = gates.open("go", "go?", "t0", "t1", null);
    gates.reject(new Signals.Reject("go", "bob", null), "t2");
    assertThat(open.rejectedBy).isEqualTo("bob");
    assertThat(open.rejectReason).isEqualTo("no reason given");
    assertThat(gates.reject(new Signals.Reject("go", "dan", "too"), "t3")).isNull();
    assertThat(gates.records()).hasSize(1);
  }

  @Test
  void aTimeoutIsRecorded() {
    gates.timedOut("go", "t9", Duration.ofHours(2));
    assertThat(gates.records())
        .containsExactly(
            new ApprovalRecord("go", "TIMED_OUT", null, "t9", null, "no decision within PT2H"));
  }

  @Test
  void aMegabyteNameIsRefusedAndCutInTheRecord() {
    Gate open = gates.open("go", "go?", "t0", "t1", null);
    ApprovalRecord r = gates.approve(new Signals.Approve("go", MEGABYTE, "ok", null), "t2", false);
    assertThat(r.decision()).isEqualTo(ApprovalRecord.REFUSED);
    assertThat(r.by()).hasSize(Limits.NAME).endsWith("[cut: 1048576 characters]");
    assertThat(open.approvedBy).isEmpty();

    ApprovalRecord rej = gates.reject(new Signals.Reject(MEGABYTE, MEGABYTE, MEGABYTE), "t3");
    assertThat(rej.decision()).isEqualTo(ApprovalRecord.REFUSED);
    assertThat(rej.gate()).hasSize(Limits.NAME);
    assertThat(rej.by()).hasSize(Limits.NAME);
    assertThat(rej.comment()).hasSize(Limits.TEXT);
    assertThat(open.rejectedBy).isNull();
  }

  @Test
  void aMegabyteCommentOrReasonIsCutWithAMarker() {
    Gate open = gates.open("go", "go?", "t0", "t1", null);
    ApprovalRecord r = gates.approve(new Signals.Approve("go", "bob", MEGABYTE, null), "t2", false);
    assertThat(r.decision()).isEqualTo(ApprovalRecord.APPROVED);
    assertThat(r.comment()).hasSize(Limits.TEXT).endsWith("… [cut: 1048576 characters]");

    Gate next = gates.open("switch", "switch?", "t3", "t4", null);
    ApprovalRecord rej = gates.reject(new Signals.Reject("switch", "bob", MEGABYTE), "t5");
    assertThat(rej.decision()).isEqualTo(ApprovalRecord.REJECTED);
    assertThat(rej.comment()).hasSize(Limits.TEXT);
    assertThat(next.rejectReason).hasSize(Limits.TEXT);
    assertThat(open.approvedBy).containsExactly("bob");
  }

  @Test
  void aPauseWithAMegabyteNameIsRefusedAndRecorded() {
    assertThat(gates.refusePauseOrResume("pause", MEGABYTE, MEGABYTE, "t1")).isTrue();
    assertThat(gates.refusePauseOrResume("resume", "bob", null, "t2")).isFalse();
    assertThat(gates.records())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.gate()).isNull();
              assertThat(r.decision()).isEqualTo(ApprovalRecord.REFUSED);
              assertThat(r.by()).hasSize(Limits.NAME);
              assertThat(r.comment()).hasSize(Limits.TEXT);
              assertThat(r.refusal()).startsWith("pause refused: the name in \"by\" has 1048576");
            });
  }

  @Test
  void theUpdateValidatorsChangeNothingAndRefuseARejectionOfADecidedGate() {
    assertThat(gates.refusal(new Signals.Approve("go", "bob", null, null), false))
        .isEqualTo("no gate is open");
    Gate open = gates.open("go", "go?", "t0", "t1", null);
    assertThat(gates.refusal(new Signals.Approve("go", "carol", null, null), false))
        .startsWith("self-approval");
    assertThat(gates.refusal(new Signals.Approve("go", "bob", null, null), false)).isNull();
    assertThat(gates.refusal(new Signals.Reject("go", "bob", "no"))).isNull();
    assertThat(open.approvedBy).isEmpty();
    assertThat(gates.records()).isEmpty();

    ApprovalRecord approved =
        gates.approve(new Signals.Approve("go", "bob", null, null), "t2", false);
    assertThat(gates.decision(approved))
        .isEqualTo(
            new GateDecision(
                "go",
                "APPROVED",
                "bob",
                1,
                1,
                GateDecision.APPROVED,
                "approval 1 of 1 counted; gate 'go' is approved: the run goes on"));
    assertThat(gates.refusal(new Signals.Reject("go", "dan", "late")))
        .isEqualTo("gate 'go' is already approved");
  }
}
