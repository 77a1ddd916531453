package io.signalbox.workflows.core;

import java.util.List;

/**
 * The answer of the {@code status} query on every runbook.
 *
 * @param runbook the workflow type
 * @param phase where the run is
 * @param step the current (or last) step
 * @param steps every step so far
 * @param pendingGate the gate it waits at, or null
 * @param approvals every decision and refused signal so far
 * @param dryRun whether this is a dry run
 * @param requestedBy who started it
 * @param pausedBy who paused it (while paused or pause requested)
 * @param pauseReason why
 */
public record RunbookStatus(
    String runbook,
    Phase phase,
    String step,
    List<StepRecord> steps,
    PendingGate pendingGate,
    List<ApprovalRecord> approvals,
    boolean dryRun,
    String requestedBy,
    String pausedBy,
    String pauseReason) {}
