package io.signalbox.workflows.backup;

import io.signalbox.workflows.copy.PostgresCopyInput;
import io.signalbox.workflows.core.ApprovalPolicy;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.RunbookInput;

/**
 * Input of {@code BackupVerification} (DESIGN.md; see {@code runbooks/backup-verification/}).
 *
 * @param requestedBy who starts it
 * @param dryRun check the backup and the scratch server, restore nothing
 * @param approvals unused (the runbook has no gates); accepted for symmetry
 * @param name names the database in reports and metrics (default {@code <database>@<host>})
 * @param database the endpoint the backup belongs to (dumped from when {@code backup.takeNew})
 * @param backup which backup to verify
 * @param scratch the server that gets the scratch database; its {@code database} is the one to
 *     connect to (e.g. {@code postgres}); the user needs CREATEDB
 * @param maxRestoreTime the longest acceptable restore (ISO-8601, default {@code PT1H})
 * @param copy dump (for {@code takeNew}) and restore options
 */
public record BackupVerificationInput(
    String requestedBy,
    Boolean dryRun,
    ApprovalPolicy approvals,
    String name,
    Endpoint database,
    Backup backup,
    Endpoint scratch,
    String maxRestoreTime,
    PostgresCopyInput.CopyOptions copy)
    implements RunbookInput {

  /**
   * @param path a Signalbox dump directory (with its {@code manifest.json}) inside the worker's
   *     dump roots
   * @param takeNew take a fresh dump now instead (under the worker's dump directory, keyed by run)
   * @param keep keep the fresh dump after the verification (default false: it is deleted)
   */
  public record Backup(String path, Boolean takeNew, Boolean keep) {}

  /** The name in reports and the metrics' {@code database} label. */
  public String nameOrDefault() {
    return name != null ? name : database.database() + "@" + database.host();
  }

  public String maxRestoreTimeOrDefault() {
    return maxRestoreTime == null ? "PT1H" : maxRestoreTime;
  }
}
