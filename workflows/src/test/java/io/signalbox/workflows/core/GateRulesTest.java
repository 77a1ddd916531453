package io.signalbox.workflows.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The refusal rules of a gate, without Temporal. */
class GateRulesTest {
  private static final ApprovalPolicy ALICE_BOB_CAROL =
      new ApprovalPolicy(List.of("alice", "bob", "carol"), 2, false, true, null);
  private final GateRules rules = new GateRules(ALICE_BOB_CAROL, "carol");

  private static Gate gate(String name) {
    return new Gate(name, "go?", "t0", "t1", Json.mapper().createObjectNode(), 2);
  }

  private String approve(Gate open, String gate, String by, String comment, String digest) {
    return rules.refuseApproval(new Signals.Approve(gate, by, comment, digest), open, false);
  }

  @Test
  void anApproverWithACommentCounts() {
    Gate open = gate("go");
    assertThat(approve(open, "go", "alice", "ok", null)).isNull();
    assertThat(approve(open, "go", "alice", "ok", open.digest)).isNull();
  }

  @Test
  void eachRefusalSaysWhy() {
    Gate open = gate("go");
    assertThat(approve(open, "go", null, "ok", null)).contains("names nobody");
    assertThat(approve(open, "go", " ", "ok", null)).contains("names nobody");
    assertThat(approve(open, "switch", "alice", "ok", null))
        .isEqualTo("gate 'switch' is not open; the open gate is 'go'");
    assertThat(approve(open, "go", "mallory", "ok", null))
        .isEqualTo("mallory is not one of the approvers [alice, bob, carol]");
    assertThat(approve(open, "go", "carol", "ok", null)).startsWith("self-approval: carol");
    assertThat(approve(open, "go", "alice", "", null))
        .isEqualTo("a comment is required with an approval");
    assertThat(approve(open, "go", "alice", "ok", "0badc0de")).startsWith("stale planDigest");
    open.approvedBy.add("alice");
    assertThat(approve(open, "go", "alice", "again", null))
        .isEqualTo("alice has already approved; 2 distinct approvers needed");
    assertThat(rules.refuseApproval(null, open, false)).contains("names nobody");
  }

  @Test
  void noGateOpenIsRefusedAndSaysWhenTheRunIsPaused() {
    Signals.Approve approve = new Signals.Approve("go", "alice", "ok", null);
    assertThat(rules.refuseApproval(approve, null, false)).isEqualTo("no gate is open");
    assertThat(rules.refuseApproval(approve, null, true))
        .isEqualTo("no gate is open (the run is paused)");
  }

  @Test
  void selfApprovalAndAnyoneFollowThePolicy() {
    GateRules anyone = new GateRules(new ApprovalPolicy(null, null, true, null, null), "carol");
    Gate open = gate("go");
    assertThat(anyone.refuseApproval(new Signals.Approve("go", "carol", null, null), open, false))
        .isNull();
    assertThat(anyone.refuseApproval(new Signals.Approve("go", "zed", null, null), open, false))
        .isNull();
    GateRules defaults = new GateRules(null, "carol");
    assertThat(defaults.refuseApproval(new Signals.Approve("go", "carol", null, null), open, false))
        .startsWith("self-approval");
  }

  @Test
  void anApproverOrTheRequesterMayReject() {
    Gate open = gate("go");
    assertThat(rules.refuseRejection(new Signals.Reject("go", "bob", "no"), open)).isNull();
    GateRules listed =
        new GateRules(new ApprovalPolicy(List.of("alice"), 1, false, false, null), "dan");
    assertThat(listed.refuseRejection(new Signals.Reject("go", "dan", "mine"), open)).isNull();
    assertThat(listed.refuseRejection(new Signals.Reject("go", "mallory", "no"), open))
        .isEqualTo("mallory is neither an approver [alice] nor the requester");
    assertThat(listed.refuseRejection(new Signals.Reject("switch", "alice", "no"), open))
        .startsWith("gate 'switch' is not open");
    assertThat(listed.refuseRejection(new Signals.Reject("go", "alice", "no"), null))
        .isEqualTo("no gate is open");
    assertThat(listed.refuseRejection(new Signals.Reject("go", null, "no"), open))
        .contains("names nobody");
    assertThat(listed.refuseRejection(null, open)).contains("names nobody");
  }

  @Test
  void aNameLongerThanTheBoundIsRefusedWhoeverItIs() {
    String huge = "a".repeat(1 << 20);
    GateRules anyone = new GateRules(new ApprovalPolicy(null, 1, true, false, null), "x");
    Gate open = gate("go");
    assertThat(anyone.refuseApproval(new Signals.Approve("go", huge, null, null), open, false))
        .isEqualTo("the name in \"by\" has 1048576 characters; at most 200 are accepted");
    assertThat(anyone.refuseRejection(new Signals.Reject("go", huge, null), open))
        .contains("at most 200");
    assertThat(GateRules.refusePauseOrResume(huge)).contains("at most 200");
    assertThat(GateRules.refusePauseOrResume("a".repeat(200))).isNull();
    assertThat(GateRules.refusePauseOrResume(null)).isNull();
  }

  @Test
  void aHugeGateNameIsCutInTheRefusal() {
    String refusal = approve(gate("go"), "g".repeat(1 << 20), "alice", "ok", null);
    assertThat(refusal).hasSizeLessThan(300).contains("[cut: 1048576 characters]");
  }
}
