package io.signalbox.worker.schedule;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.ScheduleUpdate;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** {@link ScheduleGateway} on the Temporal SDK's {@link ScheduleClient}. */
public class TemporalScheduleGateway implements ScheduleGateway {
  private final ScheduleClient client;

  public TemporalScheduleGateway(ScheduleClient client) {
    this.client = client;
  }

  @Override
  public Optional<Schedule> describe(String scheduleId) {
    try {
      return Optional.of(client.getHandle(scheduleId).describe().getSchedule());
    } catch (RuntimeException e) {
      if (status(e) == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void create(String scheduleId, Schedule schedule) {
    client.createSchedule(scheduleId, schedule, ScheduleOptions.newBuilder().build());
  }

  @Override
  public void update(String scheduleId, UnaryOperator<Schedule> change) {
    client
        .getHandle(scheduleId)
        .update(in -> new ScheduleUpdate(change.apply(in.getDescription().getSchedule())));
  }

  /** The gRPC status code somewhere in a failure's causes, or null. */
  public static Status.Code status(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s) {
        return s.getStatus().getCode();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
