package io.signalbox.worker;

import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.spring.boot.TemporalOptionsCustomizer;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Options of the workers the Temporal starter creates: sticky execution off against the dev server.
 *
 * <p>Why: with sticky execution a worker keeps each open run in its cache and asks the server to
 * send the run's next workflow task to the worker's own sticky queue. A real Temporal server gives
 * such a task back to the normal task queue when nobody picks it up within the sticky
 * schedule-to-start timeout (5 s) or when the worker says it shuts down. The Temporal Java test
 * server (the dev server) does neither: once the worker that cached a run is gone (SIGTERM or kill
 * -9), every later task of that run (signals, activity results, the {@code status} query) waits on
 * a queue nobody polls, and the run is stranded for ever. Without sticky attributes the server
 * keeps every task on the normal queue, and any worker takes it, replaying the run's history.
 *
 * <p>How: {@link WorkerOptions.Builder#setStickyQueueScheduleToStartTimeout} of zero makes the SDK
 * send no sticky attributes when it completes a workflow task (the SDK's {@code
 * ReplayWorkflowTaskHandler}); the workflow cache size cannot turn it off ({@code
 * WorkerFactoryOptions} replaces a size of 0 by the default 600).
 *
 * <p>Cost, measured on the dev server with {@code StickyExecutionTest} (a workflow of N sequential
 * activities; figures from one run on a 2-core machine, not asserted): every workflow task replays
 * the run from its first event, so a task's work grows with the history and a run's total with its
 * square. 20 steps: 59 ms of workflow-task time with sticky execution, 217 ms without (run wall
 * time 324 vs 470 ms); 200 steps: 368 ms vs 2,820 ms (1.6 s vs 5.0 s). A PostgresCopy run has 7
 * workflow tasks and 42 events (its recorded history in the workflows' replay tests), a
 * GiteaDbMigration a few times that: off costs a run tens of milliseconds. Against a real Temporal
 * server ({@code auto}) sticky execution stays on.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WorkerOptionsConfiguration.Settings.class)
public class WorkerOptionsConfiguration {
  private static final Logger log = LoggerFactory.getLogger(WorkerOptionsConfiguration.class);

  /** How long start-up waits for the server to say what it is. */
  static final Duration DETECT_DEADLINE = Duration.ofSeconds(10);

  /** Whether workers use sticky execution (a per-worker cache of open runs). */
  public enum StickyExecution {
    /** Off against the Temporal Java test server (the dev server), on against any other. */
    AUTO,
    /** Always on (the SDK's default). */
    ON,
    /** Always off: every workflow task replays its run's history. */
    OFF;

    /**
     * {@code auto}, {@code on} or {@code off}, in any case. YAML 1.1 reads a bare {@code on} /
     * {@code off} as a boolean, so {@code true} / {@code false} mean the same.
     */
    public static StickyExecution parse(String value) {
      String v = value == null ? "auto" : value.trim().toLowerCase(Locale.ROOT);
      return switch (v) {
        case "auto", "" -> AUTO;
        case "on", "true" -> ON;
        case "off", "false" -> OFF;
        default ->
            throw new IllegalArgumentException(
                "signalbox.sticky-execution must be auto, on or off, not '" + value + "'");
      };
    }
  }

  /**
   * Worker options under {@code signalbox.*}.
   *
   * @param stickyExecution {@code auto} (default): off against the dev server, on against a real
   *     Temporal server; {@code on}; {@code off} (env {@code SIGNALBOX_STICKY_EXECUTION})
   */
  @ConfigurationProperties("signalbox")
  public record Settings(@DefaultValue("auto") String stickyExecution) {
    public Settings {
      StickyExecution.parse(stickyExecution);
    }

    /** The parsed setting. */
    public StickyExecution sticky() {
      return StickyExecution.parse(stickyExecution);
    }
  }

  /**
   * Sets the sticky queue schedule-to-start timeout to zero (sticky execution off) on every worker
   * when the setting, or the server found at start-up, asks for it.
   */
  @Bean
  public TemporalOptionsCustomizer<WorkerOptions.Builder> stickyExecutionCustomizer(
      Settings settings, ObjectProvider<WorkflowServiceStubs> stubs) {
    StickyDecision decision = new StickyDecision(settings.sticky(), stubs);
    return builder ->
        decision.sticky() ? builder : builder.setStickyQueueScheduleToStartTimeout(Duration.ZERO);
  }

  /** The decision, taken once (at the first worker) and logged once. */
  static final class StickyDecision {
    private final StickyExecution setting;
    private final ObjectProvider<WorkflowServiceStubs> stubs;
    private Boolean sticky;

    StickyDecision(StickyExecution setting, ObjectProvider<WorkflowServiceStubs> stubs) {
      this.setting = setting;
      this.stubs = stubs;
    }

    synchronized boolean sticky() {
      if (sticky == null) {
        sticky = decide();
      }
      return sticky;
    }

    private boolean decide() {
      switch (setting) {
        case ON -> {
          log.info("Sticky execution on (signalbox.sticky-execution=on).");
          return true;
        }
        case OFF -> {
          log.info(
              "Sticky execution off (signalbox.sticky-execution=off): every workflow task replays"
                  + " its run's history, and any worker can take any run's next task.");
          return false;
        }
        default -> {
          WorkflowServiceStubs service = stubs.getObject();
          String target = service.getOptions().getTarget();
          try {
            if (TestServerDetector.detect(service, DETECT_DEADLINE)
                == TestServerDetector.Kind.TEST_SERVER) {
              log.warn(
                  "Sticky execution off: {} is the Temporal dev server (the Java test server),"
                      + " which never hands a stopped worker's cached runs back to the task"
                      + " queue. Workers can be restarted at will; each workflow task replays its"
                      + " run's history (signalbox.sticky-execution=auto|on|off).",
                  target);
              return false;
            }
            log.info(
                "Sticky execution on: {} is a Temporal server (signalbox.sticky-execution=auto).",
                target);
            return true;
          } catch (RuntimeException e) {
            log.warn(
                "Sticky execution on: could not tell whether {} is the Temporal dev server ({})."
                    + " Against the dev server set signalbox.sticky-execution=off, or a restarted"
                    + " worker will not move open runs on.",
                target,
                e.getMessage());
            return true;
          }
        }
      }
    }
  }
}
