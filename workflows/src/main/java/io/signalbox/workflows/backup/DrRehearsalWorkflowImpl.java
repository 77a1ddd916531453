package io.signalbox.workflows.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.backup.BackupHistoryActivities.DatabaseHistory;
import io.signalbox.workflows.backup.BackupHistoryActivities.HistoryRequest;
import io.signalbox.workflows.backup.BackupHistoryActivities.HistoryResult;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.NotifyActivities;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** See {@link DrRehearsalWorkflow} and {@code runbooks/dr-rehearsal/README.md}. */
public class DrRehearsalWorkflowImpl extends RunbookWorkflow<DrRehearsalInput>
    implements DrRehearsalWorkflow {

  /** How many earlier runs per database the report shows as the RTO trend. */
  static final int TREND_RUNS = 5;

  private final BackupHistoryActivities history =
      Workflow.newActivityStub(
          BackupHistoryActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(1))
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setInitialInterval(Duration.ofSeconds(2))
                      .setMaximumInterval(Duration.ofSeconds(30))
                      .setMaximumAttempts(5)
                      .setDoNotRetry(FailureType.nonRetryableTypes())
                      .build())
              .build());

  /** Verifications running now; only touched from workflow threads, which never run at once. */
  private int running;

  public DrRehearsalWorkflowImpl() {
    super(TYPE, DrRehearsalInput.class);
  }

  @Override
  public RunbookResult run(JsonNode input) {
    return runbook.execute(input, this::rehearse);
  }

  private void rehearse(DrRehearsalInput in) {
    List<Planned> planned = plan(in);
    Duration maxAge = duration(in.maxAgeOrDefault(), "$.maxAge");

    // Read before the children run, so "previous success" never counts this rehearsal.
    HistoryResult past =
        runbook.step(
            "history",
            () -> {
              HistoryResult h = readHistory(planned);
              runbook.detail(
                  h.available()
                      ? "history of " + h.databases().size() + " of " + planned.size() + " read"
                      : "no history: " + h.note());
              return h;
            });

    List<Outcome> outcomes = runbook.step("verify", () -> verifyAll(in, planned));

    DrRehearsalReport report =
        runbook.step(
            "report",
            () -> {
              DrRehearsalReport r = report(in, planned, outcomes, past, maxAge);
              runbook.detail(r.summary());
              return r;
            });
    runbook.verification(report);
    runbook.notifications().endAs(NotifyActivities.DR_REHEARSAL_FINISHED);
    if (report.passed() + plannedCount(report) < planned.size()) {
      throw FailureType.VERIFICATION_FAILED.failure(
          "DR rehearsal: " + report.summary() + ". Every database's result is in the report.");
    }
  }

  // ------------------------------------------------------------------ plan

  /** One database to verify, with its child's workflow id and its limit. */
  private record Planned(
      int index, String name, String childId, long limitSeconds, BackupVerificationInput input) {}

  private List<Planned> plan(DrRehearsalInput in) {
    if (in.databases() == null || in.databases().isEmpty()) {
      throw FailureType.INVALID_INPUT.failure(
          "Invalid input for DrRehearsal: $.databases: list at least one database to verify");
    }
    if (in.parallelismOrDefault() < 1) {
      throw FailureType.INVALID_INPUT.failure(
          "Invalid input for DrRehearsal: $.parallelism: must be at least 1");
    }
    String workflowId = Workflow.getInfo().getWorkflowId();
    List<Planned> planned = new ArrayList<>();
    Map<String, String> childIds = new HashMap<>();
    for (int i = 0; i < in.databases().size(); i++) {
      BackupVerificationInput db = in.databases().get(i);
      String path = "$.databases[" + i + "]";
      if (db.database() == null) {
        throw FailureType.INVALID_INPUT.failure(
            "Invalid input for DrRehearsal: " + path + ".database: is required but missing");
      }
      String name = db.nameOrDefault();
      String childId = workflowId + "-" + safe(name);
      String other = childIds.putIfAbsent(childId, name);
      if (other != null) {
        throw FailureType.INVALID_INPUT.failure(
            "Invalid input for DrRehearsal: "
                + path
                + ".name: '"
                + name
                + "' gives the same child workflow id as '"
                + other
                + "' ("
                + childId
                + "); give each database a distinct \"name\"");
      }
      long limit = duration(db.maxRestoreTimeOrDefault(), path + ".maxRestoreTime").toSeconds();
      planned.add(new Planned(i, name, childId, limit, db));
    }
    return planned;
  }

  /**
   * A name as one part of a workflow id: letters, digits, {@code .}, {@code _} and {@code -} are
   * kept, anything else (the {@code @} of {@code db@host}, spaces, slashes) becomes {@code -}.
   */
  static String safe(String name) {
    StringBuilder out = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean keep =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      out.append(keep ? c : '-');
    }
    return out.toString();
  }

  private static Duration duration(String iso, String path) {
    try {
      return Duration.parse(iso);
    } catch (DateTimeParseException e) {
      throw FailureType.INVALID_INPUT.failure(
          "Invalid input for DrRehearsal: "
              + path
              + ": '"
              + iso
              + "' is not an ISO-8601 duration such as PT1H or P30D");
    }
  }

  // ------------------------------------------------------------------ history

  private HistoryResult readHistory(List<Planned> planned) {
    List<String> names = planned.stream().map(Planned::name).toList();
    try {
      HistoryResult h = history.read(new HistoryRequest(names, TREND_RUNS));
      return h.databases() == null ? new HistoryResult(h.available(), h.note(), List.of()) : h;
    } catch (ActivityFailure failure) {
      // The drill itself matters more than its history: report without it, and say so.
      return new HistoryResult(
          false, "cannot read the evidence store: " + message(failure), List.of());
    }
  }

  // ------------------------------------------------------------------ verify

  /** What one child verification ended with. */
  private record Outcome(
      boolean passed, RunbookResult result, String failureType, String message) {}

  private List<Outcome> verifyAll(DrRehearsalInput in, List<Planned> planned) {
    int parallelism = in.parallelismOrDefault();
    boolean dryRun = runbook.dryRun();
    List<Promise<Outcome>> promises = new ArrayList<>();
    int[] done = {0};
    for (Planned p : planned) {
      // Bounded parallelism: start the next child only when one of the running ones has ended.
      Workflow.await(() -> running < parallelism);
      running++;
      promises.add(
          Async.function(
              () -> {
                try {
                  return verifyOne(in, p, dryRun);
                } finally {
                  running--;
                  done[0]++;
                  runbook.detail(done[0] + " of " + planned.size() + " verifications ended");
                }
              }));
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (Promise<Outcome> promise : promises) {
      outcomes.add(promise.get());
    }
    return outcomes;
  }

  private Outcome verifyOne(DrRehearsalInput in, Planned p, boolean dryRun) {
    BackupVerificationInput db = p.input();
    BackupVerificationInput childInput =
        new BackupVerificationInput(
            in.requestedBy(),
            dryRun ? Boolean.TRUE : null,
            null,
            p.name(),
            db.database(),
            db.backup(),
            db.scratch(),
            db.maxRestoreTime(),
            db.copy());
    BackupVerificationWorkflow child =
        Workflow.newChildWorkflowStub(
            BackupVerificationWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(p.childId())
                // A rehearsal that ends early cancels its children, so each still drops its
                // scratch database (terminating them would leave it behind).
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                .build());
    try {
      RunbookResult result = child.run(Json.tree(childInput));
      return new Outcome(true, result, null, null);
    } catch (ChildWorkflowFailure failure) {
      if (failure.getCause() instanceof CanceledFailure cancelled) {
        throw cancelled; // this rehearsal is being cancelled: Runbook ends it as CANCELLED
      }
      RunbookResult details = null;
      String type = FailureType.STEP_FAILED.type();
      if (failure.getCause() instanceof ApplicationFailure app) {
        type = app.getType();
        if (app.getDetails().getSize() > 0) {
          try {
            details = app.getDetails().get(RunbookResult.class);
          } catch (RuntimeException unreadable) {
            details = null; // a failure from elsewhere without our result: the message suffices
          }
        }
      }
      return new Outcome(false, details, type, message(failure));
    }
  }

  // ------------------------------------------------------------------ report

  private DrRehearsalReport report(
      DrRehearsalInput in,
      List<Planned> planned,
      List<Outcome> outcomes,
      HistoryResult past,
      Duration maxAge) {
    long now = Workflow.currentTimeMillis();
    Map<String, DatabaseHistory> byName = new HashMap<>();
    for (DatabaseHistory h : past.databases()) {
      byName.put(h.name(), h);
    }
    boolean dryRun = runbook.dryRun();
    List<DrRehearsalReport.Entry> entries = new ArrayList<>();
    int passed = 0;
    int failed = 0;
    int stale = 0;
    Set<String> notPassed = new HashSet<>();
    List<String> notPassedInOrder = new ArrayList<>();
    for (int i = 0; i < planned.size(); i++) {
      Planned p = planned.get(i);
      Outcome o = outcomes.get(i);
      DatabaseHistory h = byName.get(p.name());
      String successAt = h == null ? null : h.newestSuccessAt();
      Long ageSeconds = ageSeconds(successAt, now);
      String status;
      if (o.passed()) {
        status = dryRun ? DrRehearsalReport.PLANNED : DrRehearsalReport.PASSED;
        if (!dryRun) {
          passed++;
        }
      } else if (past.available() && (ageSeconds == null || ageSeconds > maxAge.toSeconds())) {
        status = DrRehearsalReport.STALE;
        stale++;
      } else {
        status = DrRehearsalReport.FAILED;
        failed++;
      }
      if (!o.passed() && notPassed.add(p.name())) {
        notPassedInOrder.add(status + ": " + p.name());
      }
      Double rto = o.result() == null ? null : o.result().rtoSeconds();
      entries.add(
          new DrRehearsalReport.Entry(
              p.name(),
              status,
              o.message(),
              o.failureType(),
              p.childId(),
              o.result() == null ? null : o.result().evidenceId(),
              rto,
              p.limitSeconds(),
              rto == null ? null : rto <= p.limitSeconds(),
              successAt,
              ageSeconds,
              h == null || h.lastRuns() == null ? List.of() : List.copyOf(h.lastRuns())));
    }
    String summary =
        dryRun
            ? "dry run: "
                + (planned.size() - notPassed.size())
                + " of "
                + planned.size()
                + " databases planned"
            : passed + " of " + planned.size() + " databases passed";
    if (!notPassedInOrder.isEmpty()) {
      summary += "; " + String.join(", ", notPassedInOrder);
    }
    return new DrRehearsalReport(
        Instant.ofEpochMilli(now).toString(),
        in.maxAgeOrDefault(),
        in.parallelismOrDefault(),
        summary,
        passed,
        failed,
        stale,
        past.available() ? null : past.note(),
        entries);
  }

  private static int plannedCount(DrRehearsalReport report) {
    return (int)
        report.databases().stream()
            .filter(e -> DrRehearsalReport.PLANNED.equals(e.status()))
            .count();
  }

  private static Long ageSeconds(String iso, long nowMillis) {
    if (iso == null) {
      return null;
    }
    try {
      return Math.max(0, (nowMillis - Instant.parse(iso).toEpochMilli()) / 1000);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The innermost message: activity and child failures wrap the one that says what happened. */
  private static String message(TemporalFailure failure) {
    Throwable t = failure;
    while ((t instanceof ActivityFailure || t instanceof ChildWorkflowFailure)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof TemporalFailure tf) {
      return tf.getOriginalMessage();
    }
    return String.valueOf(t.getMessage());
  }
}
