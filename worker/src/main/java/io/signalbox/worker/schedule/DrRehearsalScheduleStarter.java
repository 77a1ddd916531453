package io.signalbox.worker.schedule;

import io.signalbox.worker.SignalboxProperties;
import io.temporal.client.schedules.ScheduleClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Creates or updates the DR rehearsal's schedule once the worker is up. The settings and the input
 * file are checked when the worker starts, so a bad one stops it with the reason; a Temporal server
 * that refuses the schedule is logged and the worker goes on running runbooks.
 */
@Component
public class DrRehearsalScheduleStarter {
  private static final Logger log = LoggerFactory.getLogger(DrRehearsalScheduleStarter.class);

  private final DrRehearsalProperties properties;
  private final DrRehearsalSchedule schedule;
  private final ObjectProvider<ScheduleClient> client;

  public DrRehearsalScheduleStarter(
      DrRehearsalProperties properties,
      SignalboxProperties signalbox,
      ObjectProvider<ScheduleClient> client) {
    this.properties = properties;
    this.client = client;
    this.schedule =
        properties.enabled()
            ? new DrRehearsalSchedule(
                properties,
                signalbox.taskQueue(),
                DrRehearsalSchedule.loadInput(properties.inputFile()))
            : null;
  }

  @EventListener(ApplicationReadyEvent.class)
  public void applySchedule() {
    if (schedule == null) {
      log.info(
          "Schedule {} is not managed (signalbox.dr-rehearsal.enabled=false)",
          properties.scheduleId());
      return;
    }
    ScheduleClient scheduleClient = client.getIfAvailable();
    if (scheduleClient == null) {
      log.warn("No Temporal schedule client: schedule {} not created", properties.scheduleId());
      return;
    }
    try {
      schedule.apply(new TemporalScheduleGateway(scheduleClient));
    } catch (RuntimeException e) {
      log.error(
          "Schedule {} could not be created or updated (the worker goes on): {}",
          properties.scheduleId(),
          e.toString());
    }
  }
}
