package io.signalbox.workflows.core;

import java.util.List;

/** The fields every runbook's input has (DESIGN.md, "Common input fields"). */
public interface RunbookInput {
  /** Who starts the run; required. */
  String requestedBy();

  /** Run only the read-only steps and report the plan; default false. */
  Boolean dryRun();

  /** The approval policy of the run's gates; default: anyone but the requester, one approval. */
  ApprovalPolicy approvals();

  /**
   * What passes the input schema but cannot work (a gate that can never open, a timeout longer than
   * the step that waits for it, a duration java.time cannot hold), one line per problem, each
   * {@code $.field: what is wrong and what to do}. The run refuses a non-empty list at start as
   * {@code InvalidInput}. A runbook with fields of its own overrides it and adds this one's.
   */
  default List<String> problems() {
    return approvals() == null ? List.of() : approvals().problems("$.approvals", requestedBy());
  }
}
