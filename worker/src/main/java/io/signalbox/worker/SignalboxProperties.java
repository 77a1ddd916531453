package io.signalbox.worker;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Signalbox's own settings, under {@code signalbox.*}. The Temporal connection itself stays in
 * {@code spring.temporal.*}, where the Temporal starter reads it.
 *
 * @param taskQueue the task queue the worker polls and the CLI starts runs on
 * @param devServer the embedded Temporal dev server of the {@code dev} profile
 * @param evidenceDir where evidence files (JSON and Markdown reports) are written
 * @param dumpDir where dumps are written when a run names no directory; shared storage when several
 *     workers run
 * @param dumpRoots the directories a run's input may name for its dumps ({@code copy.dumpDir}) or
 *     read a dump from ({@code backup.path}): a path must lie inside one of them once links are
 *     resolved; unset: just {@code dumpDir}
 * @param sharedDumpDir whether {@code dumpDir} is storage every worker sees; when false (the
 *     default), restore and verify of a dump run on the worker that wrote it, through its own task
 *     queue {@code hostTaskQueue}
 * @param hostTaskQueue this worker's own task queue (default {@code signalbox-<HOSTNAME>})
 * @param pgBin the directory of pg_dump / pg_restore; unset: {@code PG_BIN}, {@code pg_config}, the
 *     newest {@code /usr/lib/postgresql/N/bin}, then the PATH
 */
@ConfigurationProperties("signalbox")
@Validated
public record SignalboxProperties(
    @DefaultValue("signalbox") @NotBlank String taskQueue,
    @DefaultValue @Valid @NotNull DevServer devServer,
    @DefaultValue("var/evidence") @NotNull Path evidenceDir,
    @DefaultValue("var/dumps") @NotNull Path dumpDir,
    List<Path> dumpRoots,
    @DefaultValue("false") boolean sharedDumpDir,
    @NotBlank String hostTaskQueue,
    Path pgBin) {

  /**
   * The dump roots as absolute paths (relative ones are taken from the working directory), {@code
   * dumpDir} alone when none is configured.
   */
  public List<Path> dumpRootsOrDefault() {
    List<Path> roots = dumpRoots == null || dumpRoots.isEmpty() ? List.of(dumpDir) : dumpRoots;
    return roots.stream().map(p -> p.toAbsolutePath().normalize()).toList();
  }

  /**
   * The embedded Temporal dev server (the Temporal Java test server in real time).
   *
   * @param port the port it binds; the worker of the {@code dev} profile connects to it
   * @param bind the address it listens on (default {@code 127.0.0.1}); any other lets whoever
   *     reaches it start runs and approve under any name
   */
  public record DevServer(
      @DefaultValue("7233") @Min(1) @Max(65535) int port,
      @DefaultValue("127.0.0.1") @NotBlank String bind) {}
}
