package io.signalbox.workflows.copy;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.signalbox.workflows.core.StepOptions;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** See {@link PostgresCopyWorkflow}. */
public class PostgresCopyWorkflowImpl extends RunbookWorkflow<PostgresCopyInput>
    implements PostgresCopyWorkflow {

  public PostgresCopyWorkflowImpl() {
    super(TYPE, PostgresCopyInput.class);
  }

  /** Short calls: describe, check, sequences. */
  static final ActivityOptions QUICK = StepOptions.QUICK;

  /**
   * Dump, restore and verify: hours at most, with a heartbeat timeout of a minute so a dead
   * worker's step restarts quickly (DESIGN.md, "Safety rules"). Runs recorded before {@link
   * #LOST_HOST_REDO} replay with these options.
   */
  static final ActivityOptions LONG = StepOptions.LONG;

  /**
   * {@link #LONG}, and a cancelled copy waits until the activity has stopped: the activity learns
   * of the cancel from its next heartbeat, kills pg_dump / pg_restore and reports the cancel, and
   * only then does the run go on to end as cancelled. Without this the run closed as CANCELLED
   * while its pg_restore still wrote into the target.
   */
  static final ActivityOptions LONG_WAITING =
      ActivityOptions.newBuilder(LONG)
          .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
          .build();

  /**
   * Change id (STYLE.md 13, kept forever): from version 1 the long activities wait for their
   * cancellation to complete, restore and verify on the dump host's queue have a schedule-to-start
   * timeout ({@code copy.hostTimeout}), and when it fires the copy is redone from a fresh dump.
   */
  static final String LOST_HOST_REDO = "lost-host-redo-and-wait-cancellation";

  /**
   * Change id (STYLE.md 13, kept forever): from version 1 restore and verify on the dump host's
   * queue are single-attempt activities and the workflow schedules each next attempt ({@link
   * HostBoundAttempts}), so every attempt has its own schedule-to-start timeout on every server.
   */
  static final String HOST_BOUND_ATTEMPTS = HostBoundAttempts.CHANGE_ID;

  /** Fresh dumps after a lost dump host before the copy gives up. */
  static final int MAX_REDOS = 3;

  private final PostgresActivities postgres =
      Workflow.newActivityStub(PostgresActivities.class, QUICK);
  private PostgresActivities postgresLong;
  private CopyActivities copy;

  /** Whether host-bound calls are tried by the workflow ({@link #HOST_BOUND_ATTEMPTS}). */
  private boolean attemptsInWorkflow;

  @Override
  public RunbookResult run(JsonNode input) {
    return runbook.execute(input, this::copy);
  }

  private void copy(PostgresCopyInput in) {
    PostgresCopyInput.CopyOptions options = in.copyOrDefault();
    Duration hostTimeout = options.hostTimeoutOrDefault(); // bad input fails before any step
    String copyId = in.copyId() != null ? in.copyId() : Workflow.getInfo().getWorkflowId();
    boolean checksums = in.checksumsOrDefault();
    boolean redoOnLostHost = Workflow.getVersion(LOST_HOST_REDO, Workflow.DEFAULT_VERSION, 1) >= 1;
    attemptsInWorkflow =
        redoOnLostHost
            && Workflow.getVersion(HOST_BOUND_ATTEMPTS, Workflow.DEFAULT_VERSION, 1) >= 1;
    ActivityOptions longOptions = redoOnLostHost ? LONG_WAITING : LONG;
    postgresLong = Workflow.newActivityStub(PostgresActivities.class, longOptions);
    copy = Workflow.newActivityStub(CopyActivities.class, longOptions);

    ServerDescription source =
        runbook.step(
            "preflight",
            () -> {
              ServerDescription s = postgres.describe(new DescribeInput(in.source()));
              CheckTargetResult t =
                  postgres.checkTarget(
                      options.dataOnlyOrDefault() || options.resetTargetOrDefault()
                          ? new CheckTargetInput(in.target(), s.extensionNames(), true)
                          : new CheckTargetInput(in.target(), s.extensionNames()));
              runbook.detail(
                  "source "
                      + s.endpoint()
                      + " (PostgreSQL "
                      + s.version()
                      + ", "
                      + s.userTableCount()
                      + " tables, "
                      + s.sizeBytes()
                      + " bytes); target "
                      + t.target().endpoint()
                      + " ready");
              return s;
            });

    if (runbook.dryRun()) {
      TableStatsResult counts =
          runbook.step(
              "plan",
              () -> postgresLong.tableStats(new TableStatsInput(in.source(), false, null, null)));
      Map<String, Object> plan = new LinkedHashMap<>();
      plan.put("source", source.endpoint());
      plan.put("sourceVersion", source.version());
      plan.put("sourceSizeBytes", source.sizeBytes());
      plan.put("target", in.target().describe());
      plan.put("tables", counts.tables().size());
      plan.put("rows", counts.totalRows());
      plan.put("jobs", options.jobs() == null ? 2 : options.jobs());
      plan.put("checksums", checksums);
      plan.put(
          "steps",
          List.of(
              "dump " + source.endpoint() + " in one exported snapshot, with manifest",
              "restore into " + in.target().describe(),
              "verify counts" + (checksums ? ", checksums" : "") + ", sequences and schema"));
      runbook.plan(plan);
    }

    String runId = Workflow.getInfo().getRunId();
    CopyActivities.DumpResult dump =
        runbook.change(
            "dump",
            null, // the dump is only read from the source and is kept as evidence: nothing to undo
            () -> {
              CopyActivities.DumpResult d = copy.dump(dumpRequest(in, copyId, runId));
              runbook.detail(
                  d.tables() + " tables, " + d.rows() + " rows, " + d.dumpBytes() + " bytes");
              return d;
            });
    if (dump == null) {
      runbook.change("restore", null, () -> null); // dry run: shown as skipped
      return;
    }

    CopyActivities.VerificationReport report;
    if (!redoOnLostHost) {
      report = restoreAndVerify(in, copyId, dump, onDumpHost(dump, LONG, null), null);
    } else {
      // The dump host's queue is named after one worker (signalbox-$HOSTNAME): when that worker
      // never comes back, nothing ever takes restore or verify from it. The schedule-to-start
      // timeout notices; the copy then starts again from a fresh dump, which any worker may take
      // and whose own queue is alive (Temporal's file-processing sample does the same).
      for (int nextRedo = 1; ; nextRedo++) {
        try {
          report =
              restoreAndVerify(
                  in, copyId, dump, onDumpHost(dump, longOptions, hostTimeout), hostTimeout);
          break;
        } catch (TemporalFailure failure) {
          if (!scheduleToStartTimedOut(failure)) {
            throw failure;
          }
          String lostQueue = dump.hostTaskQueue();
          if (nextRedo > MAX_REDOS) {
            throw FailureType.STEP_FAILED.failure(
                "The copy was redone from a fresh dump "
                    + MAX_REDOS
                    + " times, and each time restore or verify waited "
                    + hostTimeout
                    + " on the dump host's task queue (last: "
                    + lostQueue
                    + ") with no worker to take it. Give each worker a host task queue that"
                    + " survives its restarts (SIGNALBOX_HOST_TASK_QUEUE) or dump to storage"
                    + " all workers share (SIGNALBOX_SHARED_DUMP_DIR=true), then start again."
                    + " The target "
                    + in.target().describe()
                    + " may hold a partial restore; the source was only read.");
          }
          dump = redoDump(in, copyId, runId, nextRedo, lostQueue, hostTimeout);
        }
      }
    }
    if (!report.matches()) {
      throw FailureType.VERIFICATION_FAILED.failure(
          "Verification failed: "
              + report.summary()
              + report.describeMismatches(CopyActivities.VerificationReport.SUMMARY_ITEMS)
              + ". The target "
              + in.target().describe()
              + " is left as it is for inspection; the source was only read.");
    }
  }

  private CopyActivities.DumpRequest dumpRequest(
      PostgresCopyInput in, String copyId, String dumpKey) {
    PostgresCopyInput.CopyOptions options = in.copyOrDefault();
    return new CopyActivities.DumpRequest(
        in.source(),
        copyId,
        options.jobs(),
        options.dumpDir(),
        in.checksumsOrDefault(),
        options.compression(),
        dumpKey);
  }

  /**
   * Restore and verify read the dump: they run on the worker that wrote it, unless the dump
   * directory is shared ({@code hostTaskQueue} null). {@code hostTimeout} null: no
   * schedule-to-start timeout (runs recorded before {@link #LOST_HOST_REDO}).
   */
  private CopyActivities onDumpHost(
      CopyActivities.DumpResult dump, ActivityOptions options, Duration hostTimeout) {
    if (dump.hostTaskQueue() == null) {
      return copy;
    }
    if (attemptsInWorkflow) {
      return Workflow.newActivityStub(
          CopyActivities.class,
          HostBoundAttempts.singleAttempt(options, dump.hostTaskQueue(), hostTimeout));
    }
    ActivityOptions.Builder onHost =
        ActivityOptions.newBuilder(options).setTaskQueue(dump.hostTaskQueue());
    if (hostTimeout != null) {
      // Per attempt, and not retried by the retry policy: the workflow decides (a redo).
      onHost.setScheduleToStartTimeout(hostTimeout);
    }
    return Workflow.newActivityStub(CopyActivities.class, onHost.build());
  }

  private CopyActivities.VerificationReport restoreAndVerify(
      PostgresCopyInput in,
      String copyId,
      CopyActivities.DumpResult dump,
      CopyActivities onDumpHost,
      Duration hostTimeout) {
    PostgresCopyInput.CopyOptions options = in.copyOrDefault();
    boolean checksums = in.checksumsOrDefault();
    runbook.change(
        "restore",
        null, // a failed copy leaves the target for inspection; a retried restore cleans itself
        () -> {
          CopyActivities.RestoreResult r =
              onHost(
                  "restore",
                  dump,
                  hostTimeout,
                  () ->
                      onDumpHost.restore(
                          options.dataOnlyOrDefault() || options.resetTargetOrDefault()
                              ? new CopyActivities.RestoreRequest(
                                  in.target(),
                                  dump.dumpPath(),
                                  copyId,
                                  options.jobs(),
                                  options.noOwner(),
                                  options.dataOnlyOrDefault(),
                                  options.replaceTables(),
                                  in.replacesCopyId(),
                                  options.resetTargetOrDefault())
                              : new CopyActivities.RestoreRequest(
                                  in.target(),
                                  dump.dumpPath(),
                                  copyId,
                                  options.jobs(),
                                  options.noOwner())));
          runbook.detail(
              "restored in "
                  + r.durationMillis()
                  + " ms"
                  + (r.cleanedEarlierAttempt()
                      ? " (removed an earlier attempt's objects first)"
                      : ""));
          return r;
        });

    return runbook.step(
        "verify",
        () -> {
          CopyActivities.VerificationReport v =
              onHost(
                  "verify",
                  dump,
                  hostTimeout,
                  () ->
                      onDumpHost.verify(
                          new CopyActivities.VerifyRequest(
                              in.target(), dump.dumpPath(), checksums, options.jobs())));
          runbook.verification(v);
          runbook.detail(v.summary());
          return v;
        });
  }

  /**
   * The step {@code redo-copy}: a fresh dump on any worker, keyed apart from the lost one. The
   * restore that follows removes what an earlier attempt of this copy left in the target.
   */
  private CopyActivities.DumpResult redoDump(
      PostgresCopyInput in,
      String copyId,
      String runId,
      int redo,
      String lostQueue,
      Duration hostTimeout) {
    String dumpKey = runId + "-redo-" + redo;
    return runbook.change(
        "redo-copy",
        null, // like the dump: only reads the source
        () -> {
          String why =
              "no worker took the copy from task queue "
                  + lostQueue
                  + " within "
                  + hostTimeout
                  + " (redo "
                  + redo
                  + " of "
                  + MAX_REDOS
                  + ")";
          runbook.detail(why + ": dumping again on any worker");
          CopyActivities.DumpResult d = copy.dump(dumpRequest(in, copyId, dumpKey));
          runbook.detail(
              why
                  + ": dumped again, "
                  + d.tables()
                  + " tables, "
                  + d.rows()
                  + " rows"
                  + (d.hostTaskQueue() == null
                      ? " to shared storage"
                      : ", restore and verify now on " + d.hostTaskQueue()));
          return d;
        });
  }

  /**
   * Calls an activity on the dump host's queue, each attempt scheduled by the workflow from {@link
   * #HOST_BOUND_ATTEMPTS} on; when no worker took it in time, fails with a message that says so
   * (the step's detail), the timeout kept as the cause.
   */
  private <T> T onHost(
      String what, CopyActivities.DumpResult dump, Duration hostTimeout, Supplier<T> call) {
    try {
      if (attemptsInWorkflow && dump.hostTaskQueue() != null) {
        return HostBoundAttempts.call(LONG.getRetryOptions(), call);
      }
      return call.get();
    } catch (ActivityFailure failure) {
      if (hostTimeout == null || !scheduleToStartTimedOut(failure)) {
        throw failure;
      }
      throw ApplicationFailure.newNonRetryableFailureWithCause(
          what
              + " waited "
              + hostTimeout
              + " on task queue "
              + dump.hostTaskQueue()
              + " and no worker took it: the worker that holds the dump is gone",
          FailureType.STEP_FAILED.type(),
          failure);
    }
  }

  /** Whether the activity was never picked up in time from its queue: its worker is gone. */
  static boolean scheduleToStartTimedOut(TemporalFailure failure) {
    return HostBoundAttempts.scheduleToStartTimedOut(failure);
  }
}
