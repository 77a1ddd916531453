package io.signalbox.worker.schedule;

import io.grpc.Status;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** An in-memory schedule server: what was created and updated, and failures on demand. */
class FakeScheduleGateway implements ScheduleGateway {
  final Map<String, Schedule> schedules = new HashMap<>();
  final List<String> calls = new ArrayList<>();
  boolean unimplemented;
  boolean raceOnCreate;

  @Override
  public Optional<Schedule> describe(String scheduleId) {
    calls.add("describe " + scheduleId);
    failIfUnimplemented();
    return Optional.ofNullable(schedules.get(scheduleId));
  }

  @Override
  public void create(String scheduleId, Schedule schedule) {
    calls.add("create " + scheduleId);
    failIfUnimplemented();
    if (raceOnCreate) {
      schedules.put(scheduleId, schedule);
      throw new ScheduleAlreadyRunningException(
          Status.ALREADY_EXISTS.withDescription("schedule exists").asRuntimeException());
    }
    if (schedules.containsKey(scheduleId)) {
      throw new IllegalStateException("exists");
    }
    schedules.put(scheduleId, schedule);
  }

  @Override
  public void update(String scheduleId, UnaryOperator<Schedule> change) {
    calls.add("update " + scheduleId);
    failIfUnimplemented();
    Schedule current = schedules.get(scheduleId);
    if (current == null) {
      throw Status.NOT_FOUND.withDescription("no schedule").asRuntimeException();
    }
    schedules.put(scheduleId, change.apply(current));
  }

  private void failIfUnimplemented() {
    if (unimplemented) {
      // As the SDK surfaces it: the gRPC status wrapped in a client exception.
      throw new RuntimeException(
          "describe failed",
          Status.UNIMPLEMENTED.withDescription("unknown service").asRuntimeException());
    }
  }
}
