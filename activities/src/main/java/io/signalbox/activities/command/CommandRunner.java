package io.signalbox.activities.command;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.exec.CommandLine;
import org.apache.commons.exec.DefaultExecuteResultHandler;
import org.apache.commons.exec.DefaultExecutor;
import org.apache.commons.exec.ExecuteWatchdog;
import org.apache.commons.exec.ProcessDestroyer;
import org.apache.commons.exec.PumpStreamHandler;
import org.apache.commons.exec.Watchdog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a command through Commons Exec: an argv array (never a shell), a timeout, bounded capture of
 * its output, a periodic progress callback and cancellation.
 *
 * <p>The progress listener runs on the calling thread (the activity's thread, so it may heartbeat).
 * When it throws, e.g. Temporal's {@code ActivityCompletionException} because the activity was
 * cancelled or lost its heartbeat, the child and its descendants are killed and the exception
 * propagates unchanged. The timeout kills them the same way and returns a result with {@code
 * timedOut} set. Killing sends SIGTERM first (pg_dump and pg_restore then cancel their server-side
 * work), then SIGKILL to whatever is still alive after a grace period.
 *
 * <p>A child starts with an explicit, minimal environment, never the worker's whole one (which
 * holds the database passwords, the Kubernetes token variables, every secret the worker was given):
 * the variables of {@link #BASE_ENV} that are set, those its spec names in {@code inheritEnv}, then
 * the spec's own {@code env} and {@code secretEnv}.
 *
 * <p>Not final, so tests can record the specs a component hands it.
 */
public class CommandRunner {
  private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);

  /**
   * What every child takes from the worker's environment, when set: the search path, the home
   * directory (tools read their configuration there), the locale, the time zone and the temporary
   * directory.
   */
  public static final Set<String> BASE_ENV =
      Set.of("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "TMPDIR");

  private static final Duration KILL_GRACE = Duration.ofSeconds(5);
  private static final long POLL_MILLIS = 200;
  private static final int MIN_CHECKED_SECRET = 6;

  /** Called periodically while a command runs; may throw to cancel it. */
  @FunctionalInterface
  public interface ProgressListener {
    /** Called on the thread that called {@link CommandRunner#run}. */
    void onProgress(CommandProgress progress);

    /** A listener that does nothing. */
    static ProgressListener none() {
      return p -> {};
    }
  }

  private final Map<String, String> parentEnv;

  /** A runner whose children take their base environment from the worker's. */
  public CommandRunner() {
    this(System.getenv());
  }

  /**
   * @param parentEnv the environment children take {@link #BASE_ENV} and {@code inheritEnv} from
   *     (the worker's own; a test can pass any)
   */
  public CommandRunner(Map<String, String> parentEnv) {
    this.parentEnv = Map.copyOf(parentEnv);
  }

  /**
   * Runs the command to its end (or its timeout) and describes how it ended.
   *
   * @throws CommandException when it cannot be started, or the calling thread is interrupted (the
   *     child is killed first)
   * @throws RuntimeException whatever the listener threw (the child is killed first)
   */
  public CommandResult run(CommandSpec spec, ProgressListener listener) {
    refuseSecretsInArgv(spec);
    ProgressListener progress = listener == null ? ProgressListener.none() : listener;
    CommandLine line = new CommandLine(spec.argv().get(0));
    for (String arg : spec.argv().subList(1, spec.argv().size())) {
      // handleQuoting=false: arguments reach the program exactly as given.
      line.addArgument(arg, false);
    }
    TailOutputStream out = new TailOutputStream(spec.tailBytes(), spec.stdoutLines());
    TailOutputStream err = new TailOutputStream(spec.tailBytes(), spec.stderrLines());
    TreeKillingWatchdog watchdog = new TreeKillingWatchdog(spec.timeout());
    DefaultExecutor.Builder<?> builder =
        DefaultExecutor.builder().setExecuteStreamHandler(new PumpStreamHandler(out, err));
    if (spec.workingDir() != null) {
      builder.setWorkingDirectory(spec.workingDir());
    }
    DefaultExecutor executor = builder.get();
    // Any exit code is a result: the caller decides what a non-zero exit means.
    executor.setExitValues(null);
    executor.setWatchdog(watchdog);
    executor.setProcessDestroyer(watchdog);
    DefaultExecuteResultHandler handler = new DefaultExecuteResultHandler();

    Map<String, String> environment = environment(spec);
    log.info(
        "running {} (timeout {}, environment {}, of which secret {})",
        spec.argv(),
        spec.timeout(),
        new java.util.TreeSet<>(environment.keySet()),
        spec.secretEnv().keySet());
    long started = System.nanoTime();
    try {
      executor.execute(line, environment, handler);
    } catch (IOException e) {
      throw new CommandException("cannot start " + spec.argv().get(0) + ": " + e.getMessage(), e);
    }

    long nextProgress = System.nanoTime() + spec.progressInterval().toNanos();
    try {
      while (!handler.hasResult()) {
        handler.waitFor(Duration.ofMillis(POLL_MILLIS));
        if (handler.hasResult()) {
          break;
        }
        if (System.nanoTime() >= nextProgress && watchdog.pid() > 0) {
          nextProgress = System.nanoTime() + spec.progressInterval().toNanos();
          progress.onProgress(
              new CommandProgress(
                  watchdog.pid(),
                  Duration.ofNanos(System.nanoTime() - started),
                  out.totalBytes(),
                  err.totalBytes()));
        }
      }
    } catch (InterruptedException e) {
      watchdog.kill("interrupted");
      awaitQuietly(handler);
      watchdog.awaitTreeGone();
      Thread.currentThread().interrupt();
      throw new CommandException("interrupted while running " + spec.argv().get(0), e);
    } catch (RuntimeException | Error e) {
      log.warn("cancelling {}: {}", spec.argv().get(0), e.toString());
      watchdog.kill("cancelled");
      awaitQuietly(handler);
      watchdog.awaitTreeGone();
      throw e;
    }

    if (watchdog.pid() <= 0 && handler.getException() != null) {
      throw new CommandException(
          "cannot start " + spec.argv().get(0) + ": " + rootMessage(handler.getException()),
          handler.getException());
    }
    watchdog.awaitTreeGone();
    Duration duration = Duration.ofNanos(System.nanoTime() - started);
    int exit =
        handler.getException() != null
            ? handler.getException().getExitValue()
            : handler.getExitValue();
    CommandResult result =
        new CommandResult(
            spec.argv(),
            watchdog.pid(),
            exit,
            watchdog.timedOut(),
            duration,
            out.capture(),
            err.capture());
    if (result.succeeded()) {
      log.info("{} finished in {}", spec.argv().get(0), duration);
    } else {
      log.warn("{}", result.summary());
    }
    return result;
  }

  private static void refuseSecretsInArgv(CommandSpec spec) {
    for (Map.Entry<String, String> secret : spec.secretEnv().entrySet()) {
      String value = secret.getValue();
      // Very short values would match innocent arguments ("--replicas=1"); a real secret is longer.
      if (value == null || value.length() < MIN_CHECKED_SECRET) {
        continue;
      }
      for (String arg : spec.argv()) {
        if (arg.contains(value)) {
          throw new IllegalArgumentException(
              "the value of secret variable "
                  + secret.getKey()
                  + " appears in the argv of "
                  + spec.argv().get(0)
                  + ": secrets go through the environment only");
        }
      }
    }
  }

  /** The child's whole environment: nothing of the worker's but what is named. */
  Map<String, String> environment(CommandSpec spec) {
    Map<String, String> env = new HashMap<>();
    for (Set<String> names : List.of(BASE_ENV, spec.inheritEnv())) {
      for (String name : names) {
        String value = parentEnv.get(name);
        if (value != null) {
          env.put(name, value);
        }
      }
    }
    env.putAll(spec.env());
    env.putAll(spec.secretEnv());
    return env;
  }

  private static void awaitQuietly(DefaultExecuteResultHandler handler) {
    try {
      handler.waitFor(KILL_GRACE.multipliedBy(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  /**
   * The timeout, plus what Commons Exec does not do: it learns the child (as the executor's process
   * destroyer) and kills the whole process tree, since pg_dump -j and pg_restore -j fork workers
   * and a shell may leave grandchildren holding the output pipes open.
   */
  private static final class TreeKillingWatchdog extends ExecuteWatchdog
      implements ProcessDestroyer {
    private volatile Process process;
    private volatile boolean timedOut;
    private volatile boolean killed;
    private final List<ProcessHandle> killedTree = new ArrayList<>();

    @SuppressWarnings("deprecation") // the builder's watchdog cannot be subclassed
    TreeKillingWatchdog(Duration timeout) {
      super(timeout.toMillis());
    }

    long pid() {
      Process p = process;
      return p == null ? -1 : p.pid();
    }

    boolean timedOut() {
      return timedOut;
    }

    @Override
    public synchronized void timeoutOccured(Watchdog w) {
      Process p = process;
      if (p != null && p.isAlive() && !killed) {
        timedOut = true;
        kill("timed out");
      }
    }

    synchronized void kill(String why) {
      Process p = process;
      if (p == null || killed) {
        return;
      }
      killed = true;
      List<ProcessHandle> tree = new ArrayList<>();
      // Descendants first collected while the parent lives: once it dies they are reparented.
      p.descendants().forEach(tree::add);
      tree.add(0, p.toHandle());
      log.warn(
          "killing {} (pid {}, {} descendants): {}",
          p.info().command().orElse("?"),
          p.pid(),
          tree.size() - 1,
          why);
      tree.forEach(ProcessHandle::destroy);
      killedTree.addAll(tree);
      CompletableFuture.runAsync(this::forceAfterGrace);
    }

    private void forceAfterGrace() {
      long deadline = System.nanoTime() + KILL_GRACE.toNanos();
      for (ProcessHandle h : snapshot()) {
        long left = deadline - System.nanoTime();
        try {
          if (left > 0) {
            h.onExit().get(left, TimeUnit.NANOSECONDS);
          }
        } catch (Exception e) {
          // still alive after the grace period: forced below
        }
        if (h.isAlive()) {
          log.warn("pid {} ignored SIGTERM, sending SIGKILL", h.pid());
          h.destroyForcibly();
        }
      }
    }

    /** After a kill, waits until every killed process has exited (bounded). */
    void awaitTreeGone() {
      long deadline = System.nanoTime() + KILL_GRACE.multipliedBy(2).toNanos();
      for (ProcessHandle h : snapshot()) {
        while (h.isAlive() && System.nanoTime() < deadline) {
          try {
            h.onExit().get(POLL_MILLIS, TimeUnit.MILLISECONDS);
          } catch (Exception e) {
            // polling until the deadline
          }
        }
      }
    }

    private synchronized List<ProcessHandle> snapshot() {
      return new ArrayList<>(killedTree);
    }

    @Override
    public synchronized void start(Process p) {
      this.process = p;
      super.start(p);
    }

    @Override
    public boolean add(Process p) {
      this.process = p;
      return true;
    }

    @Override
    public boolean remove(Process p) {
      return true;
    }

    @Override
    public int size() {
      return process == null ? 0 : 1;
    }
  }
}
