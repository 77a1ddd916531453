package io.signalbox.workflows.backup;

import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.core.Endpoint;
import io.temporal.workflow.Workflow;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backup verification's report pieces: the dump's part of the report and the dry run's plan.
 */
final class BackupVerificationReports {

  private BackupVerificationReports() {}

  /** The dry run's plan. */
  static Map<String, Object> plan(
      String name,
      BackupActivities.DumpInfo dump,
      BackupVerificationInput in,
      Endpoint scratchDb,
      String scratchName) {
    Map<String, Object> plan = new LinkedHashMap<>();
    plan.put("database", name);
    plan.put("backup", dump != null ? dump.path() : "a new dump of " + in.database().describe());
    plan.put("scratch", scratchDb.describe());
    plan.put("maxRestoreTime", in.maxRestoreTimeOrDefault());
    plan.put(
        "steps",
        List.of(
            "create the scratch database " + scratchName,
            "restore the backup into it and measure the restore time",
            "verify counts, checksums, sequences and schema against the manifest",
            "pg_amcheck (heap and B-tree indexes)",
            "compare the restore time with maxRestoreTime",
            "drop the scratch database"));
    return plan;
  }

  static BackupActivities.DumpInfo takenInfo(
      CopyActivities.DumpResult t, Endpoint db, int serverVersionNum) {
    return new BackupActivities.DumpInfo(
        t.dumpPath(),
        t.hostTaskQueue(),
        Workflow.getInfo().getWorkflowId(),
        db.describe(),
        db.database(),
        serverVersionNum,
        t.serverVersion(),
        t.toolVersion(),
        t.snapshotTime(),
        t.tables(),
        t.rows(),
        t.dumpBytes(),
        true,
        true);
  }

  static BackupVerificationReport.Dump dumpReport(
      BackupActivities.DumpInfo d, boolean takenNew, boolean kept) {
    return new BackupVerificationReport.Dump(
        d.path(),
        d.takenAt(),
        d.source(),
        d.serverVersion(),
        d.pgDumpVersion(),
        d.dumpBytes(),
        d.tables(),
        d.rows(),
        takenNew,
        kept);
  }
}
