package io.signalbox.worker.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code signalbox}: the command line. It talks to the Temporal frontend as the Temporal UI does,
 * with plain JSON payloads, so anything it does can also be done from the UI and the other way
 * round. It never starts Spring.
 */
@Command(
    name = "signalbox",
    mixinStandardHelpOptions = true,
    // Every command inherits -h/--help (and -V): usage errors point to `signalbox CMD --help`.
    scope = ScopeType.INHERIT,
    versionProvider = SignalboxCli.Version.class,
    description =
        "Durable runbook automation on Temporal: start runbooks, follow them, approve gates.",
    footer = {
      "",
      "Without a command the jar runs the worker (`worker`, or `dev` for the worker with an",
      "embedded Temporal dev server). Exit codes: 0 ok, 1 failed, 2 bad usage or input,",
      "3 not found, 4 Temporal unreachable."
    },
    subcommands = {
      StartCommand.class,
      RollbackCommand.class,
      StatusCommand.class,
      SignalCommands.Approve.class,
      SignalCommands.Reject.class,
      SignalCommands.Pause.class,
      SignalCommands.Resume.class,
      ListCommand.class,
      EvidenceCommand.class,
      ScheduleCommand.class,
      DevServerCommand.class,
      CommandLine.HelpCommand.class
    })
public class SignalboxCli implements Runnable {

  private static final Set<String> GLOBAL_OPTIONS =
      Set.of(
          "--address",
          "--namespace",
          "--task-queue",
          "--timeout",
          "--verbose",
          "-h",
          "--help",
          "-V",
          "--version");

  @Option(
      names = "--address",
      scope = ScopeType.INHERIT,
      paramLabel = "HOST:PORT",
      defaultValue = "${env:TEMPORAL_ADDRESS:-localhost:7233}",
      description = "Temporal frontend (env TEMPORAL_ADDRESS; default: ${DEFAULT-VALUE}).")
  String address;

  @Option(
      names = "--namespace",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:TEMPORAL_NAMESPACE:-default}",
      description = "Temporal namespace (env TEMPORAL_NAMESPACE; default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--task-queue",
      scope = ScopeType.INHERIT,
      defaultValue = "${env:SIGNALBOX_TASK_QUEUE:-signalbox}",
      description = "Task queue of the Signalbox workers (default: ${DEFAULT-VALUE}).")
  String taskQueue;

  @Option(
      names = "--timeout",
      scope = ScopeType.INHERIT,
      paramLabel = "SECONDS",
      defaultValue = "5",
      description =
          "How long to wait for the Temporal server to answer (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds;

  @Option(
      names = "--tls",
      scope = ScopeType.INHERIT,
      description = "Connect with TLS (implied by --tls-cert/--tls-key and --api-key).")
  boolean tls;

  @Option(
      names = "--tls-cert",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      defaultValue = "${env:TEMPORAL_TLS_CERT}",
      description = "mTLS client certificate chain, PEM (env TEMPORAL_TLS_CERT).")
  java.nio.file.Path tlsCert;

  @Option(
      names = "--tls-key",
      scope = ScopeType.INHERIT,
      paramLabel = "FILE",
      defaultValue = "${env:TEMPORAL_TLS_KEY}",
      description = "mTLS client key, PKCS#8 PEM (env TEMPORAL_TLS_KEY).")
  java.nio.file.Path tlsKey;

  @Option(
      names = "--api-key",
      scope = ScopeType.INHERIT,
      paramLabel = "KEY",
      defaultValue = "${env:TEMPORAL_API_KEY}",
      description = "API key, e.g. for Temporal Cloud (env TEMPORAL_API_KEY; prefer the variable).")
  String apiKey;

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Show the Temporal SDK's log and stack traces of unexpected errors.")
  boolean verbose;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  /** Runs the CLI for {@code main}: quiet logging, the process's stdout and stderr. */
  public static int run(String[] args) {
    List<String> arguments = Arrays.asList(args);
    if (arguments.contains("dev-server")) {
      CliLogging.server();
    } else {
      CliLogging.cli(arguments.contains("--verbose"));
    }
    return execute(
        args,
        new PrintWriter(System.out, true, Charset.defaultCharset()),
        new PrintWriter(System.err, true, Charset.defaultCharset()));
  }

  /**
   * Runs the CLI in this process (as the tests do) and returns its exit code.
   *
   * @param out where results go
   * @param err where the one-line error goes
   */
  public static int execute(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The picocli command line with Signalbox's error handling and exit codes. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new SignalboxCli());
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine cmd = ex.getCommandLine();
          cmd.getErr()
              .println(
                  "signalbox: "
                      + ex.getMessage()
                      + " (see `signalbox "
                      + commandPath(cmd)
                      + "--help`)");
          return CliException.USAGE;
        });
    cli.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          CliException failure = Errors.describe(ex, root(cmd));
          cmd.getErr().println("signalbox: " + failure.getMessage());
          if (root(cmd).verbose) {
            ex.printStackTrace(cmd.getErr());
          }
          return failure.exitCode();
        });
    return cli;
  }

  /** Whether {@code name} (e.g. {@code --address}) is one of the CLI's global options. */
  public static boolean isGlobalOption(String name) {
    return GLOBAL_OPTIONS.contains(name);
  }

  private static SignalboxCli root(CommandLine cmd) {
    CommandLine top = cmd;
    while (top.getParent() != null) {
      top = top.getParent();
    }
    return top.getCommand();
  }

  private static String commandPath(CommandLine cmd) {
    StringBuilder path = new StringBuilder();
    for (CommandLine c = cmd; c.getParent() != null; c = c.getParent()) {
      path.insert(0, c.getCommandName() + " ");
    }
    return path.toString();
  }

  /** The version from the jar's manifest. */
  static class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SignalboxCli.class.getPackage().getImplementationVersion();
      return new String[] {"signalbox " + (version == null ? "(development build)" : version)};
    }
  }
}
