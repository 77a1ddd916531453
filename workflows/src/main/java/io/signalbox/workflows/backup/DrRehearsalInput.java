package io.signalbox.workflows.backup;

import io.signalbox.workflows.core.ApprovalPolicy;
import io.signalbox.workflows.core.RunbookInput;
import java.util.List;

/**
 * Input of {@code DrRehearsal} (DESIGN.md; {@code runbooks/dr-rehearsal/input.schema.json}).
 *
 * @param requestedBy who starts it (the schedule's input file names the schedule); every child
 *     verification is requested by the same name
 * @param dryRun run every child as a dry run: check the backups and scratch servers, restore
 *     nothing
 * @param approvals unused (the runbook has no gates); accepted for symmetry
 * @param databases one {@code BackupVerification} input per database, without {@code requestedBy},
 *     {@code dryRun} and {@code approvals} (those come from here)
 * @param maxAge a database that does not pass now and whose newest previous success is older than
 *     this (ISO-8601, default {@code P30D}) is STALE
 * @param parallelism how many verifications run at once (default 2)
 */
public record DrRehearsalInput(
    String requestedBy,
    Boolean dryRun,
    ApprovalPolicy approvals,
    List<BackupVerificationInput> databases,
    String maxAge,
    Integer parallelism)
    implements RunbookInput {

  public String maxAgeOrDefault() {
    return maxAge == null ? "P30D" : maxAge;
  }

  public int parallelismOrDefault() {
    return parallelism == null ? 2 : parallelism;
  }
}
