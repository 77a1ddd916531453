package io.signalbox.workflows.backup;

import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.DescribeInput;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.PostgresCopyInput;
import io.signalbox.workflows.copy.ServerDescription;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.Runbook;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * The backup verification's checks before it changes anything: its input (maxRestoreTime, the
 * scratch endpoint) and the preflight step's body (the database, the scratch server, the given
 * dump, the tools).
 */
final class BackupVerificationPreflight {

  private BackupVerificationPreflight() {}

  /** What the preflight found: the database, and the given dump (null for a new one). */
  record Result(ServerDescription db, BackupActivities.DumpInfo dump) {}

  /** The preflight step's body; its activity calls come in this order. */
  static Result check(
      Runbook<BackupVerificationInput> runbook,
      PostgresActivities postgres,
      BackupActivities backup,
      CopyActivities copy,
      BackupVerificationInput in,
      boolean hasPath,
      PostgresCopyInput.CopyOptions options,
      String scratchName) {
    BackupVerificationInput.Backup b = in.backup();
    ServerDescription db = postgres.describe(new DescribeInput(in.database()));
    BackupActivities.ScratchReport scratch =
        backup.checkScratch(new BackupActivities.ScratchCheckRequest(in.scratch()));
    BackupActivities.DumpInfo dump = null;
    List<CopyActivities.ServerVersion> servers = new ArrayList<>();
    servers.add(new CopyActivities.ServerVersion(db.endpoint(), db.versionNum()));
    servers.add(new CopyActivities.ServerVersion(scratch.endpoint(), scratch.versionNum()));
    if (hasPath) {
      dump = backup.inspect(new BackupActivities.InspectRequest(b.path()));
      if (!dump.sourceDatabase().equals(in.database().database())) {
        throw FailureType.INVALID_INPUT.failure(
            "backup.path "
                + b.path()
                + " is a dump of database "
                + dump.sourceDatabase()
                + " ("
                + dump.source()
                + "), not of database.database "
                + in.database().database());
      }
      servers.add(
          new CopyActivities.ServerVersion("the dump " + dump.path(), dump.serverVersionNum()));
    } else if (options.dumpDir() != null) {
      backup.checkDumpDir(new BackupActivities.DumpDirRequest(options.dumpDir()));
    }
    CopyActivities.ToolsReport tools =
        copy.checkTools(new CopyActivities.CheckToolsRequest(servers));
    runbook.detail(
        "database "
            + db.endpoint()
            + " (PostgreSQL "
            + db.version()
            + "); scratch server "
            + scratch.endpoint()
            + " (PostgreSQL "
            + scratch.version()
            + ", scratch database "
            + scratchName
            + (scratch.leftovers().isEmpty()
                ? ""
                : "; leftovers of earlier runs: " + String.join(", ", scratch.leftovers()))
            + "); "
            + tools.version()
            + (dump == null
                ? "; a new dump will be taken"
                : "; backup "
                    + dump.path()
                    + " taken at "
                    + dump.takenAt()
                    + " ("
                    + dump.tables()
                    + " tables, "
                    + dump.dumpBytes()
                    + " bytes)"));
    return new Result(db, dump);
  }

  static Duration maxRestoreTime(String text) {
    try {
      Duration d = Duration.parse(text);
      if (d.isNegative() || d.isZero()) {
        throw FailureType.INVALID_INPUT.failure(
            "maxRestoreTime: " + text + " is not a positive duration (e.g. PT1H)");
      }
      return d;
    } catch (DateTimeParseException e) {
      throw FailureType.INVALID_INPUT.failure(
          "maxRestoreTime: " + text + " is not an ISO-8601 duration (e.g. PT1H or PT30M)");
    }
  }

  static Endpoint scratchEndpoint(Endpoint server, String database) {
    return new Endpoint(
        server.host(),
        server.port(),
        database,
        server.user(),
        server.password(),
        server.sslmode(),
        false);
  }
}
