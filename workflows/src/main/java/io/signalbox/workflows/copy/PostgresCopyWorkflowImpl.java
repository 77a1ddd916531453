package io.signalbox.workflows.copy;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** See {@link PostgresCopyWorkflow}. */
public class PostgresCopyWorkflowImpl extends RunbookWorkflow<PostgresCopyInput>
    implements PostgresCopyWorkflow {

  public PostgresCopyWorkflowImpl() {
    super(TYPE, PostgresCopyInput.class);
  }

  /** Short calls: describe, check, sequences. */
  static final ActivityOptions QUICK =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(5))
          .setRetryOptions(retry(10))
          .build();

  /**
   * Dump, restore and verify: hours at most, with a heartbeat timeout of a minute so a dead
   * worker's step restarts quickly (DESIGN.md, "Safety rules").
   */
  static final ActivityOptions LONG =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofHours(12))
          .setHeartbeatTimeout(Duration.ofMinutes(1))
          .setRetryOptions(retry(5))
          .build();

  private final PostgresActivities postgres =
      Workflow.newActivityStub(PostgresActivities.class, QUICK);
  private final PostgresActivities postgresLong =
      Workflow.newActivityStub(PostgresActivities.class, LONG);
  private final CopyActivities copy = Workflow.newActivityStub(CopyActivities.class, LONG);

  static RetryOptions retry(int attempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(2))
        .setBackoffCoefficient(2)
        .setMaximumInterval(Duration.ofMinutes(1))
        .setMaximumAttempts(attempts)
        .setDoNotRetry(FailureType.nonRetryableTypes())
        .build();
  }

  @Override
  public RunbookResult run(JsonNode input) {
    return runbook.execute(input, this::copy);
  }

  private void copy(PostgresCopyInput in) {
    PostgresCopyInput.CopyOptions options = in.copyOrDefault();
    String copyId = in.copyId() != null ? in.copyId() : Workflow.getInfo().getWorkflowId();
    boolean checksums = in.checksumsOrDefault();

    ServerDescription source =
        runbook.step(
            "preflight",
            () -> {
              ServerDescription s = postgres.describe(new DescribeInput(in.source()));
              CheckTargetResult t =
                  postgres.checkTarget(new CheckTargetInput(in.target(), s.extensionNames()));
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

    CopyActivities.DumpResult dump =
        runbook.change(
            "dump",
            null, // the dump is only read from the source and is kept as evidence: nothing to undo
            () -> {
              CopyActivities.DumpResult d =
                  copy.dump(
                      new CopyActivities.DumpRequest(
                          in.source(),
                          copyId,
                          options.jobs(),
                          options.dumpDir(),
                          checksums,
                          options.compression(),
                          Workflow.getInfo().getRunId()));
              runbook.detail(
                  d.tables() + " tables, " + d.rows() + " rows, " + d.dumpBytes() + " bytes");
              return d;
            });
    if (dump == null) {
      runbook.change("restore", null, () -> null); // dry run: shown as skipped
      return;
    }

    // Restore and verify read the dump: they run on the worker that wrote it.
    CopyActivities onDumpHost =
        dump.hostTaskQueue() == null
            ? copy
            : Workflow.newActivityStub(
                CopyActivities.class,
                ActivityOptions.newBuilder(LONG).setTaskQueue(dump.hostTaskQueue()).build());

    runbook.change(
        "restore",
        null, // a failed copy leaves the target for inspection; a retried restore cleans itself
        () -> {
          CopyActivities.RestoreResult r =
              onDumpHost.restore(
                  new CopyActivities.RestoreRequest(
                      in.target(), dump.dumpPath(), copyId, options.jobs(), options.noOwner()));
          runbook.detail(
              "restored in "
                  + r.durationMillis()
                  + " ms"
                  + (r.cleanedEarlierAttempt()
                      ? " (removed an earlier attempt's objects first)"
                      : ""));
          return r;
        });

    CopyActivities.VerificationReport report =
        runbook.step(
            "verify",
            () -> {
              CopyActivities.VerificationReport v =
                  onDumpHost.verify(
                      new CopyActivities.VerifyRequest(
                          in.target(), dump.dumpPath(), checksums, options.jobs()));
              runbook.verification(v);
              runbook.detail(v.summary());
              return v;
            });
    if (!report.matches()) {
      throw FailureType.VERIFICATION_FAILED.failure(
          "Verification failed: "
              + report.summary()
              + mismatches(report)
              + ". The target "
              + in.target().describe()
              + " is left as it is for inspection; the source was only read.");
    }
  }

  private static String mismatches(CopyActivities.VerificationReport report) {
    StringBuilder out = new StringBuilder();
    report.tables().stream()
        .filter(t -> !t.ok())
        .forEach(t -> out.append("; ").append(t.table()).append(": ").append(t.problem()));
    report.sequenceProblems().forEach(p -> out.append("; sequence ").append(p));
    report.schemaDifferences().forEach(p -> out.append("; schema ").append(p));
    return out.toString();
  }
}
