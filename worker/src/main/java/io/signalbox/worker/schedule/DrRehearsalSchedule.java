package io.signalbox.worker.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.workflows.backup.DrRehearsalWorkflow;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.Json;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleState;
import io.temporal.common.converter.EncodedValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Temporal Schedule of the monthly DR rehearsal, built from {@code signalbox.dr-rehearsal.*}
 * ({@link DrRehearsalProperties}), and the create-or-update the worker runs at start-up:
 *
 * <ul>
 *   <li>action: start {@code DrRehearsal} on the Signalbox task queue with the input file's JSON,
 *       workflow id {@code <workflowIdPrefix>-<scheduled time>} (Temporal appends the time);
 *   <li>spec: the cron expression in the time zone;
 *   <li>policies: overlap SKIP (a rehearsal still running makes the next one skip), the catch-up
 *       window;
 *   <li>no schedule yet: create it; one made from the same settings: leave it alone; one made from
 *       other settings: update it, keeping its state (an operator's pause survives a restart).
 * </ul>
 *
 * <p>"The same settings" is a digest of them, kept in the action's workflow memo under {@value
 * #DIGEST_MEMO} (the server rewrites cron strings into calendar specs, so the definitions
 * themselves cannot be compared).
 */
public final class DrRehearsalSchedule {
  private static final Logger log = LoggerFactory.getLogger(DrRehearsalSchedule.class);

  /** The memo key of the settings digest on the action's workflows. */
  public static final String DIGEST_MEMO = "signalboxScheduleDigest";

  /** The state note of a schedule the worker creates. */
  static final String NOTE =
      "Created by the Signalbox worker from signalbox.dr-rehearsal.*; pause, trigger and backfill"
          + " freely: a worker restart keeps the pause.";

  /** What {@link #apply} did. */
  public enum Result {
    DISABLED,
    CREATED,
    UPDATED,
    UNCHANGED,
    UNSUPPORTED
  }

  private final DrRehearsalProperties properties;
  private final String taskQueue;
  private final JsonNode input;
  private final String digest;

  /**
   * @param properties the settings; a time zone that is not one fails here
   * @param taskQueue the task queue the rehearsals run on
   * @param input the DrRehearsal input (see {@link #loadInput})
   */
  public DrRehearsalSchedule(DrRehearsalProperties properties, String taskQueue, JsonNode input) {
    this.properties = properties;
    this.taskQueue = taskQueue;
    this.input = input;
    try {
      ZoneId.of(properties.timeZone());
    } catch (DateTimeException e) {
      throw new IllegalStateException(
          "signalbox.dr-rehearsal.time-zone '"
              + properties.timeZone()
              + "' is not a time zone: use an IANA name such as UTC or Europe/Berlin");
    }
    ObjectNode settings = Json.mapper().createObjectNode();
    settings.put("workflowType", DrRehearsalWorkflow.TYPE);
    settings.put("workflowIdPrefix", properties.workflowIdPrefix());
    settings.put("taskQueue", taskQueue);
    settings.set("input", input);
    settings.put("cron", properties.cron());
    settings.put("timeZone", properties.timeZone());
    settings.put("overlap", ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP.name());
    settings.put("catchupWindowSeconds", properties.catchupWindow().toSeconds());
    this.digest = Json.digest(settings);
  }

  /**
   * Reads and checks the input file against DrRehearsal's input schema, the check a run makes.
   *
   * @throws IllegalStateException naming the file and each bad field
   */
  public static JsonNode loadInput(Path file) {
    // An unset environment variable in application.yaml binds as an empty path.
    if (file == null || file.toString().isBlank()) {
      throw new IllegalStateException(
          "signalbox.dr-rehearsal.enabled is true but signalbox.dr-rehearsal.input-file is not"
              + " set: point it at a DrRehearsal input (JSON), see runbooks/dr-rehearsal/");
    }
    JsonNode input;
    try {
      input = Json.mapper().readTree(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "signalbox.dr-rehearsal.input-file " + file + " is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read signalbox.dr-rehearsal.input-file " + file + ": " + e);
    }
    InputActivities.ValidationResult checked =
        new InputActivitiesImpl()
            .validate(new InputActivities.ValidationRequest(DrRehearsalWorkflow.TYPE, input));
    if (!checked.valid()) {
      throw new IllegalStateException(
          "signalbox.dr-rehearsal.input-file "
              + file
              + " is not a valid DrRehearsal input: "
              + String.join("; ", checked.errors()));
    }
    return input;
  }

  /** The schedule as the settings describe it, in the state a new one starts in. */
  public Schedule build() {
    return Schedule.newBuilder()
        .setAction(
            ScheduleActionStartWorkflow.newBuilder()
                .setWorkflowType(DrRehearsalWorkflow.TYPE)
                .setArguments(input)
                .setOptions(
                    WorkflowOptions.newBuilder()
                        .setWorkflowId(properties.workflowIdPrefix())
                        .setTaskQueue(taskQueue)
                        .setMemo(Map.of(DIGEST_MEMO, digest))
                        .build())
                .build())
        .setSpec(
            ScheduleSpec.newBuilder()
                .setCronExpressions(List.of(properties.cron()))
                .setTimeZoneName(properties.timeZone())
                .build())
        .setPolicy(
            SchedulePolicy.newBuilder()
                .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                .setCatchupWindow(properties.catchupWindow())
                .build())
        .setState(ScheduleState.newBuilder().setNote(NOTE).setPaused(false).build())
        .build();
  }

  /** The digest of the settings the schedule is built from. */
  public String digest() {
    return digest;
  }

  /**
   * Creates the schedule, updates it when its settings changed, or leaves it alone.
   *
   * @return what was done; {@link Result#UNSUPPORTED} on a server without schedules, said in one
   *     log line
   */
  public Result apply(ScheduleGateway gateway) {
    String id = properties.scheduleId();
    try {
      Optional<Schedule> current = gateway.describe(id);
      if (current.isEmpty()) {
        try {
          gateway.create(id, build());
          log.info(
              "Created schedule {}: DrRehearsal at '{}' ({}) on task queue {}",
              id,
              properties.cron(),
              properties.timeZone(),
              taskQueue);
          return Result.CREATED;
        } catch (ScheduleAlreadyRunningException raced) {
          log.info("Schedule {} was created by another worker just now; updating it", id);
        }
      } else if (digest.equals(digestOf(current.get()))) {
        log.info("Schedule {} is up to date with signalbox.dr-rehearsal.*", id);
        return Result.UNCHANGED;
      }
      gateway.update(id, existing -> keepState(build(), existing));
      log.info(
          "Updated schedule {} from signalbox.dr-rehearsal.*: DrRehearsal at '{}' ({}), its"
              + " paused state kept",
          id,
          properties.cron(),
          properties.timeZone());
      return Result.UPDATED;
    } catch (RuntimeException e) {
      if (TemporalScheduleGateway.status(e) == Status.Code.UNIMPLEMENTED) {
        log.warn(
            "The Temporal server has no schedules (the embedded dev server does not): schedule {}"
                + " not created; start DrRehearsal by hand (signalbox start DrRehearsal --input"
                + " FILE)",
            id);
        return Result.UNSUPPORTED;
      }
      throw e;
    }
  }

  private static Schedule keepState(Schedule desired, Schedule existing) {
    if (existing == null || existing.getState() == null) {
      return desired;
    }
    return Schedule.newBuilder(desired).setState(existing.getState()).build();
  }

  /** The settings digest a schedule was made from, or null when it was not made by a worker. */
  static String digestOf(Schedule schedule) {
    if (!(schedule.getAction() instanceof ScheduleActionStartWorkflow action)
        || action.getOptions() == null
        || action.getOptions().getMemo() == null) {
      return null;
    }
    Object value = action.getOptions().getMemo().get(DIGEST_MEMO);
    if (value instanceof String s) {
      return s;
    }
    if (value instanceof EncodedValues encoded) {
      // A described schedule carries its memo still encoded.
      try {
        return encoded.get(0, String.class);
      } catch (RuntimeException unreadable) {
        return null;
      }
    }
    return null;
  }
}
