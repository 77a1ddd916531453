package io.signalbox.worker.schedule;

import io.temporal.client.schedules.Schedule;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * What the worker needs of Temporal's schedules: the SDK's {@code ScheduleClient} behind it in the
 * worker ({@link TemporalScheduleGateway}), an in-memory one in tests.
 *
 * <p>A server without schedules (the Temporal Java test server behind the dev profile) makes every
 * method throw a gRPC {@code UNIMPLEMENTED} status, possibly wrapped.
 */
public interface ScheduleGateway {

  /** The schedule's current definition, or empty when there is no schedule with this id. */
  Optional<Schedule> describe(String scheduleId);

  /** Creates the schedule; fails when one with this id exists. */
  void create(String scheduleId, Schedule schedule);

  /** Replaces the schedule's definition with what {@code change} makes of the current one. */
  void update(String scheduleId, UnaryOperator<Schedule> change);
}
