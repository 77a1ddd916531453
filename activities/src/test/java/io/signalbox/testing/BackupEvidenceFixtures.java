package io.signalbox.testing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.workflows.core.EvidenceActivities.EvidenceInput;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.RunbookResult;
import java.time.Instant;
import java.util.List;

/**
 * Evidence of BackupVerification and DrRehearsal runs as those runbooks record it, for tests of
 * what reads it back (the backup history and the worker's backup metrics). Recorded through the
 * real {@code EvidenceActivitiesImpl}, so the rows are exactly what a run leaves.
 */
public final class BackupEvidenceFixtures {
  private BackupEvidenceFixtures() {}

  /**
   * A BackupVerification run of {@code name} that ended at {@code endedAt}.
   *
   * @param outcome COMPLETED or FAILED
   * @param rtoSeconds the measured restore time, or null when it did not restore
   * @param maxRestoreTime the limit as the verification reports it (ISO-8601), or null
   */
  public static EvidenceInput verification(
      String workflowId,
      String name,
      String outcome,
      Instant endedAt,
      Double rtoSeconds,
      String maxRestoreTime,
      boolean dryRun) {
    ObjectNode verification = Json.mapper().createObjectNode();
    // As BackupVerificationReport writes them: the name as "database", the limit in seconds.
    verification.put("database", name);
    if (maxRestoreTime != null) {
      verification.put("maxRestoreSeconds", java.time.Duration.parse(maxRestoreTime).toSeconds());
    }
    boolean completed = outcome.equals("COMPLETED");
    RunbookResult result =
        new RunbookResult(
            outcome,
            "BackupVerification",
            null,
            verification,
            null,
            List.of(),
            List.of(),
            completed ? null : "VerificationFailed",
            completed ? "Completed." : "restore failed",
            dryRun,
            "alice",
            rtoSeconds);
    return new EvidenceInput(
        workflowId,
        "run-" + workflowId,
        endedAt.minusSeconds(600).toString(),
        endedAt.toString(),
        result);
  }

  /** A DrRehearsal run whose report has one entry per {@code name=status} pair. */
  public static EvidenceInput rehearsal(
      String workflowId, String outcome, Instant endedAt, long limitSeconds, String... entries) {
    ObjectNode report = Json.mapper().createObjectNode();
    ArrayNode databases = report.putArray("databases");
    for (String e : entries) {
      String[] nameStatus = e.split("=", 2);
      ObjectNode entry = databases.addObject();
      entry.put("name", nameStatus[0]);
      entry.put("status", nameStatus[1]);
      entry.put("limitSeconds", limitSeconds);
    }
    boolean completed = outcome.equals("COMPLETED");
    RunbookResult result =
        new RunbookResult(
            outcome,
            "DrRehearsal",
            null,
            report,
            null,
            List.of(),
            List.of(),
            completed ? null : "VerificationFailed",
            completed ? "Completed." : "DR rehearsal failed",
            false,
            "schedule",
            null);
    return new EvidenceInput(
        workflowId,
        "run-" + workflowId,
        endedAt.minusSeconds(3600).toString(),
        endedAt.toString(),
        result);
  }
}
