package io.signalbox.worker.schedule;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The monthly DR rehearsal's Temporal Schedule, under {@code signalbox.dr-rehearsal.*}: at start-up
 * the worker creates or updates it from these settings (see {@link DrRehearsalSchedule}).
 *
 * @param enabled whether the worker manages the schedule at all (default false: it does nothing)
 * @param scheduleId the schedule's id (default {@code dr-rehearsal-monthly})
 * @param cron when it runs, a five-field cron expression (default {@code 0 3 1 * *}: 03:00 on the
 *     1st of each month)
 * @param timeZone the time zone of {@code cron} (an IANA name such as {@code Europe/Berlin};
 *     default {@code UTC})
 * @param catchupWindow how late a missed run (server down at that time) may still start (default
 *     one day)
 * @param inputFile the DrRehearsal input (JSON), checked against its schema at start-up; required
 *     when enabled
 * @param workflowIdPrefix the runs' workflow id; Temporal appends the scheduled time (default
 *     {@code dr-rehearsal}, giving e.g. {@code dr-rehearsal-2026-12-01T03:00:00Z})
 */
@ConfigurationProperties("signalbox.dr-rehearsal")
@Validated
public record DrRehearsalProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("dr-rehearsal-monthly") @NotBlank String scheduleId,
    @DefaultValue("0 3 1 * *") @NotBlank String cron,
    @DefaultValue("UTC") @NotBlank String timeZone,
    @DefaultValue("P1D") @NotNull Duration catchupWindow,
    Path inputFile,
    @DefaultValue("dr-rehearsal") @NotBlank String workflowIdPrefix) {}
