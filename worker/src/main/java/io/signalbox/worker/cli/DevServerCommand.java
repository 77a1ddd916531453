package io.signalbox.worker.cli;

import io.signalbox.worker.DevServer;
import io.signalbox.worker.DevServerPortInUseException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code signalbox dev-server [--port 7233] [--bind 127.0.0.1]}: the Temporal dev server alone, so
 * a worker process ({@code signalbox worker}) can be stopped and started again against it. Runs
 * until interrupted (Ctrl-C).
 */
@Command(
    name = "dev-server",
    description = {
      "Run the Temporal dev server alone (in memory: no persistence, no UI, no schedules).",
      "Then run a worker against it: signalbox worker"
    })
class DevServerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "7233",
      description = "Port to listen on (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = DevServer.DEFAULT_BIND,
      description = {
        "Address to listen on (default: ${DEFAULT-VALUE}). Anyone who can reach another address"
            + " can start runs and approve gates under any name: the dev server authenticates"
            + " nobody."
      })
  String bind;

  private final CountDownLatch stopped = new CountDownLatch(1);

  @Override
  public Integer call() {
    if (port < 1 || port > 65535) {
      throw new CliException(CliException.USAGE, "--port must be between 1 and 65535");
    }
    DevServer server;
    try {
      server = DevServer.start(bind, port);
    } catch (DevServerPortInUseException e) {
      throw new CliException(CliException.FAILED, e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CliException(CliException.USAGE, e.getMessage(), e);
    }
    Thread hook = new Thread(server::close, "dev-server-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    spec.commandLine()
        .getOut()
        .printf(
            "Temporal dev server on %s. Run a worker against it: signalbox worker"
                + " (TEMPORAL_ADDRESS=%s). Stop with Ctrl-C.%n",
            server.clientTarget(), server.clientTarget());
    spec.commandLine().getOut().flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    Runtime.getRuntime().removeShutdownHook(hook);
    server.close();
    return 0;
  }
}
