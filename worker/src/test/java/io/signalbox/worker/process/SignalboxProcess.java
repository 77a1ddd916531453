package io.signalbox.worker.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One {@code java -jar signalbox.jar …} process (the dev server, a worker), its output in a log
 * file. {@link #stop()} is SIGTERM ({@link Process#destroy()}), {@link #kill()} is SIGKILL of the
 * process and everything it started, as when a pod or container dies.
 */
public final class SignalboxProcess {
  private final String name;
  private final Process process;
  private final Path log;

  private SignalboxProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts {@code java -jar <jar> args…} with these environment variables on top of this JVM's,
   * stdout and stderr into {@code log}.
   */
  static SignalboxProcess start(
      String name, Path jar, Path log, Map<String, String> env, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(javaExecutable());
    // Small, quick-starting JVMs: several run side by side on a small machine.
    argv.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
    argv.add("-jar");
    argv.add(jar.toString());
    argv.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().putAll(env);
    try {
      Files.createDirectories(log.getParent());
      builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      Files.writeString(
          log,
          "---- " + String.join(" ", argv) + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      return new SignalboxProcess(name, builder.start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  private static String javaExecutable() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** Its name in the test (e.g. {@code worker-2}). */
  public String name() {
    return name;
  }

  /** The log file. */
  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /**
   * Waits until the log contains {@code text}; fails when the process ends first or time runs out.
   */
  public void awaitLog(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!logText().contains(text)) {
      if (!process.isAlive()) {
        throw new AssertionError(
            name + " ended (exit " + process.exitValue() + ") before logging '" + text + "'");
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " did not log '" + text + "' within " + timeout);
      }
      sleep(100);
    }
  }

  /** The whole log so far. */
  public String logText() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** A running process this one started (directly or not) whose command ends with {@code name}. */
  public Optional<ProcessHandle> descendant(String command) {
    return process
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("/" + command)).orElse(false))
        .findFirst();
  }

  /** SIGTERM, then waits for the end (a graceful shutdown); SIGKILL after {@code grace}. */
  public int stop(Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
      }
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
      return -1;
    }
  }

  /**
   * SIGKILL of the process and of everything it started (pg_dump, pg_restore), as when its pod or
   * container dies: nothing of it runs on.
   */
  public void kill() {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(30, TimeUnit.SECONDS);
      for (ProcessHandle child : children) {
        child.onExit().get(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new AssertionError("a process of " + name + " survived SIGKILL", e);
    }
  }

  @Override
  public String toString() {
    return name + " (pid " + process.pid() + ", log " + log + ")";
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
