package io.signalbox.workflows.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.HostBoundAttempts;
import io.signalbox.workflows.copy.PostgresActivities;
import io.signalbox.workflows.copy.PostgresCopyInput;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.signalbox.workflows.core.StepOptions;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/** See {@link BackupVerificationWorkflow}; the steps are listed in its runbook README. */
public class BackupVerificationWorkflowImpl extends RunbookWorkflow<BackupVerificationInput>
    implements BackupVerificationWorkflow {

  /** The prefix of every scratch database; dropScratch drops nothing else. */
  public static final String SCRATCH_PREFIX = "signalbox_verify_";

  /** Checks, scratch create/drop, inspection: short calls. */
  static final ActivityOptions QUICK = StepOptions.QUICK;

  /** Dump, digests, restore, verify, amcheck: hours at most, a heartbeat a minute. */
  static final ActivityOptions LONG = StepOptions.LONG;

  /**
   * The restore: a dump that does not restore fails the same way each time, so it is tried three
   * times (a lost connection gets its retry), not five.
   */
  static final ActivityOptions RESTORE =
      ActivityOptions.newBuilder(LONG).setRetryOptions(StepOptions.retry(3)).build();

  /**
   * Work on the worker that holds the dump waits at most this long for that worker; a worker that
   * never returns fails the step, and the scratch database is dropped from any worker.
   */
  static final Duration HOST_SCHEDULE_TO_START = Duration.ofMinutes(10);

  private final PostgresActivities postgres =
      Workflow.newActivityStub(PostgresActivities.class, QUICK);
  private final CopyActivities copy = Workflow.newActivityStub(CopyActivities.class, LONG);
  private final BackupActivities backup = Workflow.newActivityStub(BackupActivities.class, QUICK);
  private final BackupActivities backupLong =
      Workflow.newActivityStub(BackupActivities.class, LONG);

  // What the report carries; filled in as the run goes.
  private String name;
  private double maxRestoreSeconds;
  private BackupVerificationReport.Dump dumpReport;
  private String scratchDescription;
  private BackupActivities.FilesReport files;
  private CopyActivities.VerificationReport restored;
  private BackupActivities.AmcheckReport amcheck;
  private Double rtoSeconds;

  /** Whether host-bound calls are tried by the workflow ({@link HostBoundAttempts#CHANGE_ID}). */
  private boolean attemptsInWorkflow;

  /** The dump a {@code takeNew} run took, once it exists (its undo deletes it). */
  private CopyActivities.DumpResult taken;

  public BackupVerificationWorkflowImpl() {
    super(TYPE, BackupVerificationInput.class);
  }

  @Override
  public RunbookResult run(JsonNode input) {
    return runbook.execute(input, this::verify);
  }

  private void verify(BackupVerificationInput in) {
    attemptsInWorkflow =
        Workflow.getVersion(HostBoundAttempts.CHANGE_ID, Workflow.DEFAULT_VERSION, 1) >= 1;
    BackupVerificationInput.Backup b = in.backup();
    boolean takeNew = b != null && Boolean.TRUE.equals(b.takeNew());
    boolean hasPath = b != null && b.path() != null && !b.path().isBlank();
    if (takeNew == hasPath) {
      throw FailureType.INVALID_INPUT.failure(
          "backup: give exactly one of backup.path (a Signalbox dump directory) or"
              + " backup.takeNew: true");
    }
    Duration maxRestore = BackupVerificationPreflight.maxRestoreTime(in.maxRestoreTimeOrDefault());
    boolean keep = !takeNew || Boolean.TRUE.equals(b.keep());
    PostgresCopyInput.CopyOptions options =
        in.copy() == null
            ? new PostgresCopyInput.CopyOptions(null, null, null, null, null)
            : in.copy();
    name = in.nameOrDefault();
    maxRestoreSeconds = maxRestore.toMillis() / 1000.0;
    String scratchName = scratchName(Workflow.getInfo().getRunId());
    Endpoint scratchDb = BackupVerificationPreflight.scratchEndpoint(in.scratch(), scratchName);
    scratchDescription = scratchDb.describe();
    record();

    BackupVerificationPreflight.Result preflight =
        runbook.step(
            "preflight",
            () ->
                BackupVerificationPreflight.check(
                    runbook, postgres, backup, copy, in, hasPath, options, scratchName));
    BackupActivities.DumpInfo given = preflight.dump();
    BackupActivities.ScratchRequest scratchRequest =
        new BackupActivities.ScratchRequest(in.scratch(), scratchName, preflight.db().encoding());
    if (given != null) {
      dumpReport = BackupVerificationReports.dumpReport(given, false, true);
      record();
    }

    BackupActivities.DumpInfo dump = given;
    if (takeNew) {
      runbook.change(
          "dump",
          keep ? null : this::deleteTakenDump,
          () -> {
            taken =
                copy.dump(
                    new CopyActivities.DumpRequest(
                        in.database(),
                        Workflow.getInfo().getWorkflowId(),
                        options.jobs(),
                        options.dumpDir(),
                        true,
                        options.compression(),
                        Workflow.getInfo().getRunId()));
            runbook.detail(
                taken.tables()
                    + " tables, "
                    + taken.rows()
                    + " rows, "
                    + taken.dumpBytes()
                    + " bytes in "
                    + taken.dumpPath());
            return taken;
          });
      if (taken != null) {
        dump =
            BackupVerificationReports.takenInfo(taken, in.database(), preflight.db().versionNum());
        dumpReport = BackupVerificationReports.dumpReport(dump, true, keep);
        record();
      }
    }

    if (dump != null) {
      BackupActivities.DumpInfo d = dump;
      runbook.step(
          "check-files",
          () -> {
            files =
                onHost(
                    BackupActivities.class,
                    LONG,
                    d.hostTaskQueue(),
                    host -> host.checkFiles(new BackupActivities.FilesCheckRequest(d.path())));
            runbook.detail(files.summary());
            if (!files.ok()) {
              throw fail(
                  "The backup "
                      + d.path()
                      + " is not as it was written: "
                      + String.join("; ", files.problems())
                      + ". Nothing was restored.");
            }
            record();
          });
    }

    if (runbook.dryRun()) {
      runbook.plan(BackupVerificationReports.plan(name, dump, in, scratchDb, scratchName));
      runbook.change("restore", null, () -> null); // shown as skipped
      return;
    }

    BackupActivities.DumpInfo d = dump;
    runbook.change(
        "create-scratch",
        () -> backup.dropScratch(scratchRequest),
        () -> {
          backup.createScratch(scratchRequest);
          runbook.detail(scratchDb.describe());
        });

    runbook.change(
        "restore",
        null, // the scratch database's undo drops whatever the restore wrote
        () -> {
          long started = Workflow.currentTimeMillis();
          CopyActivities.RestoreResult r = restore(d, scratchDb, scratchName, options);
          rtoSeconds = (Workflow.currentTimeMillis() - started) / 1000.0;
          runbook.rtoSeconds(rtoSeconds);
          runbook.detail(
              "restored in "
                  + rtoSeconds
                  + " s (pg_restore "
                  + r.durationMillis()
                  + " ms) into "
                  + scratchName);
          return r;
        });
    record();

    runbook.step(
        "verify",
        () -> {
          restored =
              onHost(
                  CopyActivities.class,
                  LONG,
                  d.hostTaskQueue(),
                  host ->
                      host.verify(
                          new CopyActivities.VerifyRequest(
                              scratchDb, d.path(), true, options.jobs())));
          runbook.detail(restored.summary());
          if (!restored.matches()) {
            throw fail(
                "The backup "
                    + d.path()
                    + " does not match its manifest: "
                    + restored.summary()
                    + restored.describeMismatches(CopyActivities.VerificationReport.SUMMARY_ITEMS)
                    + ".");
          }
          record();
        });

    runbook.step(
        "amcheck",
        () -> {
          amcheck =
              backupLong.amcheck(new BackupActivities.AmcheckRequest(scratchDb, options.jobs()));
          runbook.detail(amcheck.summary());
          if (!amcheck.ok()) {
            throw fail(
                "pg_amcheck found corruption in the restored backup "
                    + d.path()
                    + ": "
                    + String.join("; ", amcheck.problems())
                    + ".");
          }
          record();
        });

    runbook.step(
        "restore-time",
        () -> {
          runbook.detail("RTO " + rtoSeconds + " s, limit " + in.maxRestoreTimeOrDefault());
          if (rtoSeconds > maxRestoreSeconds) {
            throw fail(
                "The restore took "
                    + rtoSeconds
                    + " s, longer than maxRestoreTime "
                    + in.maxRestoreTimeOrDefault()
                    + " ("
                    + maxRestoreSeconds
                    + " s).");
          }
        });

    runbook.change("drop-scratch", null, () -> backup.dropScratch(scratchRequest));
    if (takeNew && !keep) {
      runbook.change("delete-dump", null, this::deleteTakenDump);
    }
    record(
        true,
        "Backup "
            + d.path()
            + " of "
            + name
            + " restored in "
            + rtoSeconds
            + " s (limit "
            + maxRestoreSeconds
            + " s); "
            + restored.summary()
            + "; "
            + amcheck.summary());
  }

  /**
   * The copy's restore into the scratch database, on the dump's worker. A dump that pg_restore
   * cannot load (after the retries) is a failed verification naming the dump and pg_restore's
   * error.
   */
  private CopyActivities.RestoreResult restore(
      BackupActivities.DumpInfo d,
      Endpoint scratchDb,
      String scratchName,
      PostgresCopyInput.CopyOptions options) {
    try {
      return onHost(
          CopyActivities.class,
          RESTORE,
          d.hostTaskQueue(),
          host ->
              host.restore(
                  new CopyActivities.RestoreRequest(
                      scratchDb, d.path(), scratchName, options.jobs(), options.noOwner())));
    } catch (ActivityFailure failure) {
      if (failure.getCause() instanceof ApplicationFailure app
          && FailureType.fromType(app.getType()) == FailureType.TRANSIENT) {
        throw fail(
            "The backup "
                + d.path()
                + " does not restore into "
                + scratchName
                + ": "
                + app.getOriginalMessage().strip()
                + ".");
      }
      throw failure;
    }
  }

  private void deleteTakenDump() {
    CopyActivities.DumpResult t = taken;
    if (t == null) {
      return; // the dump never finished: nothing of it to delete
    }
    BackupActivities.DeleteDumpResult r =
        onHost(
            BackupActivities.class,
            QUICK,
            t.hostTaskQueue(),
            host -> host.deleteDump(new BackupActivities.DeleteDumpRequest(t.dumpPath())));
    runbook.detail(r.deleted() ? "deleted " + t.dumpPath() : t.dumpPath() + " was already gone");
  }

  /**
   * Calls an activity on the worker that holds the dump (or anywhere, for a shared dir). From
   * {@link HostBoundAttempts#CHANGE_ID} on, each attempt is an activity the workflow schedules, so
   * each has the schedule-to-start timeout (see {@link HostBoundAttempts}).
   */
  private <A, T> T onHost(
      Class<A> type, ActivityOptions options, String hostTaskQueue, Function<A, T> call) {
    if (hostTaskQueue == null) {
      return call.apply(Workflow.newActivityStub(type, options));
    }
    if (attemptsInWorkflow) {
      A host =
          Workflow.newActivityStub(
              type,
              HostBoundAttempts.singleAttempt(options, hostTaskQueue, HOST_SCHEDULE_TO_START));
      return HostBoundAttempts.call(options.getRetryOptions(), () -> call.apply(host));
    }
    return call.apply(
        Workflow.newActivityStub(
            type,
            ActivityOptions.newBuilder(options)
                .setTaskQueue(hostTaskQueue)
                .setScheduleToStartTimeout(HOST_SCHEDULE_TO_START)
                .build()));
  }

  /** Records the report so far, then returns the failure to throw. */
  private ApplicationFailure fail(String message) {
    record(false, message);
    return FailureType.VERIFICATION_FAILED.failure(message);
  }

  private void record() {
    record(false, "not finished");
  }

  private void record(boolean passed, String summary) {
    runbook.verification(
        BackupVerificationReport.of(
            name,
            passed,
            summary,
            rtoSeconds,
            maxRestoreSeconds,
            restored,
            dumpReport,
            scratchDescription,
            files,
            amcheck));
  }

  /**
   * {@code signalbox_verify_} and the first 12 hex digits of the run id: unique per run (so it
   * cannot collide with another run's, nor with a database a person named), a valid identifier that
   * needs no quoting (it is quoted all the same).
   */
  static String scratchName(String runId) {
    String hex = runId.replaceAll("[^0-9A-Fa-f]", "").toLowerCase(Locale.ROOT);
    return SCRATCH_PREFIX + hex.substring(0, Math.min(12, hex.length()));
  }
}
