package io.signalbox.workflows.core;

/** The fields every runbook's input has (DESIGN.md, "Common input fields"). */
public interface RunbookInput {
  /** Who starts the run; required. */
  String requestedBy();

  /** Run only the read-only steps and report the plan; default false. */
  Boolean dryRun();

  /** The approval policy of the run's gates; default: anyone but the requester, one approval. */
  ApprovalPolicy approvals();
}
