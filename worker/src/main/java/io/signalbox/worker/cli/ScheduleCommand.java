package io.signalbox.worker.cli;

import io.grpc.Status;
import io.signalbox.worker.schedule.TemporalScheduleGateway;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleBackfill;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code signalbox schedule show|pause|unpause|trigger|backfill [--id ID]}: the DR rehearsal's
 * Temporal Schedule (default {@code dr-rehearsal-monthly}) through the SDK's ScheduleClient, the
 * same operations the Temporal UI offers on a schedule.
 */
@Command(
    name = "schedule",
    description = "Show, pause, unpause, trigger or backfill a schedule (dr-rehearsal-monthly).",
    subcommands = {
      ScheduleCommand.Show.class,
      ScheduleCommand.Pause.class,
      ScheduleCommand.Unpause.class,
      ScheduleCommand.Trigger.class,
      ScheduleCommand.Backfill.class
    })
class ScheduleCommand implements Runnable {
  static final String DEFAULT_ID = "dr-rehearsal-monthly";

  @ParentCommand SignalboxCli root;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "Missing command: show, pause, unpause, trigger or backfill");
  }

  /** What every schedule command shares: the id, the connection, the errors. */
  abstract static class Base implements Callable<Integer> {
    @ParentCommand ScheduleCommand parent;
    @Spec CommandSpec spec;

    @Option(
        names = "--id",
        paramLabel = "ID",
        defaultValue = DEFAULT_ID,
        description = "Schedule id (default: ${DEFAULT-VALUE}).")
    String id;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (TemporalConnection temporal = TemporalConnection.open(parent.root)) {
        ScheduleClient client =
            ScheduleClient.newInstance(
                temporal.stubs(),
                ScheduleClientOptions.newBuilder().setNamespace(temporal.namespace()).build());
        try {
          run(client.getHandle(id), out);
        } catch (RuntimeException e) {
          throw translate(e, temporal.namespace());
        }
      }
      return 0;
    }

    abstract void run(ScheduleHandle schedule, PrintWriter out);

    private RuntimeException translate(RuntimeException e, String namespace) {
      Status.Code code = TemporalScheduleGateway.status(e);
      if (code == Status.Code.UNIMPLEMENTED) {
        return new CliException(
            CliException.FAILED,
            "the Temporal server at "
                + parent.root.address
                + " has no schedules (the embedded dev server of `./signalbox dev` has none):"
                + " use a full server (docker compose up), or start the runbook by hand with"
                + " `signalbox start DrRehearsal --input FILE`",
            e);
      }
      if (code == Status.Code.NOT_FOUND) {
        return new CliException(
            CliException.NOT_FOUND,
            "no schedule '"
                + id
                + "' in namespace '"
                + namespace
                + "': the worker creates "
                + DEFAULT_ID
                + " at start-up when signalbox.dr-rehearsal.enabled=true",
            e);
      }
      return e;
    }
  }

  /** Operator notes say who did it and why, as the UI's do. */
  abstract static class Noted extends Base {
    @Option(names = "--as", paramLabel = "NAME", required = true, description = "Who you are.")
    String by;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why.")
    String reason;

    String note(String verb) {
      return verb + " by " + by + (reason == null || reason.isBlank() ? "" : ": " + reason);
    }
  }

  @Command(name = "show", description = "The schedule's spec, policies, action, state and runs.")
  static class Show extends Base {
    @Override
    void run(ScheduleHandle schedule, PrintWriter out) {
      ScheduleDescription d = schedule.describe();
      Schedule s = d.getSchedule();
      out.printf("Schedule %s%n", d.getId());
      out.printf(
          "  state:     %s%s%n",
          s.getState().isPaused() ? "PAUSED" : "active",
          blank(s.getState().getNote()) ? "" : " (" + s.getState().getNote() + ")");
      List<String> crons = s.getSpec().getCronExpressions();
      out.printf(
          "  spec:      %s, time zone %s%n",
          crons.isEmpty()
              ? s.getSpec().getCalendars().size() + " calendar spec(s)"
              : "cron " + String.join(" | ", crons),
          blank(s.getSpec().getTimeZoneName()) ? "UTC" : s.getSpec().getTimeZoneName());
      out.printf(
          "  policies:  overlap %s, catch-up window %s%n",
          s.getPolicy().getOverlap().name().replace("SCHEDULE_OVERLAP_POLICY_", ""),
          s.getPolicy().getCatchupWindow());
      if (s.getAction() instanceof ScheduleActionStartWorkflow a) {
        out.printf(
            "  action:    start %s as %s-<scheduled time> on task queue %s%n",
            a.getWorkflowType(), a.getOptions().getWorkflowId(), a.getOptions().getTaskQueue());
      }
      out.printf(
          "  actions:   %d taken, %d skipped (overlap), %d missed (catch-up window)%n",
          d.getInfo().getNumActions(),
          d.getInfo().getNumActionsSkippedOverlap(),
          d.getInfo().getNumActionsMissedCatchupWindow());
      for (ScheduleActionResult r : d.getInfo().getRecentActions()) {
        String workflowId =
            r.getAction() instanceof ScheduleActionExecutionStartWorkflow w
                ? w.getWorkflowId()
                : "?";
        out.printf("  recent:    %s  %s%n", r.getScheduledAt(), workflowId);
      }
      for (Instant next : d.getInfo().getNextActionTimes()) {
        out.printf("  next:      %s%n", next);
      }
    }
  }

  @Command(name = "pause", description = "Pause the schedule (no runs start until unpaused).")
  static class Pause extends Noted {
    @Override
    void run(ScheduleHandle schedule, PrintWriter out) {
      schedule.pause(note("paused"));
      out.printf("Paused %s (%s).%n", id, note("paused"));
    }
  }

  @Command(name = "unpause", description = "Unpause the schedule.")
  static class Unpause extends Noted {
    @Override
    void run(ScheduleHandle schedule, PrintWriter out) {
      schedule.unpause(note("unpaused"));
      out.printf("Unpaused %s (%s).%n", id, note("unpaused"));
    }
  }

  @Command(name = "trigger", description = "Start the schedule's action now.")
  static class Trigger extends Base {
    @Option(
        names = "--overlap",
        paramLabel = "POLICY",
        description =
            "SKIP, BUFFER_ONE, BUFFER_ALL, CANCEL_OTHER, TERMINATE_OTHER or ALLOW_ALL"
                + " (default: the schedule's own, SKIP).")
    String overlap;

    @Override
    void run(ScheduleHandle schedule, PrintWriter out) {
      if (overlap == null) {
        schedule.trigger();
      } else {
        schedule.trigger(overlap(overlap));
      }
      out.printf("Triggered %s: see `signalbox list` for the run.%n", id);
    }
  }

  @Command(
      name = "backfill",
      description =
          "Run the action for the times the schedule would have run between two instants.")
  static class Backfill extends Base {
    @Option(names = "--from", required = true, paramLabel = "INSTANT", description = "ISO-8601.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "INSTANT", description = "ISO-8601.")
    String to;

    @Option(
        names = "--overlap",
        paramLabel = "POLICY",
        description = "As for trigger (default: the schedule's own).")
    String overlap;

    @Override
    void run(ScheduleHandle schedule, PrintWriter out) {
      Instant start = instant("--from", from);
      Instant end = instant("--to", to);
      if (!end.isAfter(start)) {
        throw new CliException(CliException.USAGE, "--to must be after --from");
      }
      schedule.backfill(
          List.of(
              overlap == null
                  ? new ScheduleBackfill(start, end)
                  : new ScheduleBackfill(start, end, overlap(overlap))));
      out.printf("Backfilled %s from %s to %s.%n", id, start, end);
    }
  }

  static ScheduleOverlapPolicy overlap(String name) {
    try {
      return ScheduleOverlapPolicy.valueOf("SCHEDULE_OVERLAP_POLICY_" + name.toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new CliException(
          CliException.USAGE,
          "--overlap "
              + name
              + " is not one of SKIP, BUFFER_ONE, BUFFER_ALL, CANCEL_OTHER, TERMINATE_OTHER,"
              + " ALLOW_ALL");
    }
  }

  static Instant instant(String option, String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new CliException(
          CliException.USAGE,
          option + " '" + value + "' is not an ISO-8601 instant such as 2026-11-01T03:00:00Z");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
