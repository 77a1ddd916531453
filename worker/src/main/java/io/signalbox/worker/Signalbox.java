package io.signalbox.worker;

import io.signalbox.worker.cli.SignalboxCli;
import io.signalbox.worker.demo.DemoListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The one entry point of the jar, which is the worker, the dev server and the CLI.
 *
 * <ul>
 *   <li>no arguments, {@code worker}, or only Spring options ({@code --spring.profiles.active=dev},
 *       {@code --server.port=…}): the worker (a Spring Boot application);
 *   <li>{@code dev}: the worker with the {@code dev} profile, which embeds a Temporal dev server;
 *       {@code dev --demo} adds the {@code demo} profile: two throwaway PostgreSQL servers and an
 *       example migration between them ({@link DemoListener});
 *   <li>anything else ({@code dev-server}, {@code start}, {@code status}, {@code list}, …): the
 *       CLI, which never starts Spring, so it is fast and quiet.
 * </ul>
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class Signalbox {

  /** Arguments that make a run the worker rather than the CLI. */
  private static final Set<String> WORKER_MODES = Set.of("worker", "dev");

  /** After {@code dev}: start the demo databases too. */
  static final String DEMO_OPTION = "--demo";

  public static void main(String[] args) {
    if (isWorker(args)) {
      boolean dev = args.length > 0 && args[0].equals("dev");
      String[] rest =
          args.length > 0 && WORKER_MODES.contains(args[0])
              ? Arrays.copyOfRange(args, 1, args.length)
              : args;
      boolean demo = dev && Arrays.asList(rest).contains(DEMO_OPTION);
      rest = Arrays.stream(rest).filter(a -> !a.equals(DEMO_OPTION)).toArray(String[]::new);
      try {
        application(dev, demo).run(rest);
      } catch (RuntimeException e) {
        // Spring has reported why (see the failure analyzers); make sure no leftover thread keeps
        // a failed worker alive.
        System.exit(1);
      }
    } else {
      System.exit(SignalboxCli.run(args));
    }
  }

  /** The worker application; with {@code dev} it embeds the Temporal dev server. */
  public static SpringApplication application(boolean dev) {
    return application(dev, false);
  }

  /**
   * The worker application; with {@code dev} it embeds the Temporal dev server, with {@code demo}
   * it also starts the demo databases.
   */
  public static SpringApplication application(boolean dev, boolean demo) {
    SpringApplication application = new SpringApplication(Signalbox.class);
    List<String> profiles = new ArrayList<>();
    if (dev) {
      profiles.add(DevServerListener.PROFILE);
    }
    if (demo) {
      profiles.add(DemoListener.PROFILE);
    }
    application.setAdditionalProfiles(profiles.toArray(String[]::new));
    return application;
  }

  /**
   * Whether these arguments ask for the worker: none, a worker mode, or nothing but Spring-style
   * {@code --name=value} options that the CLI does not know.
   */
  static boolean isWorker(String[] args) {
    if (args.length == 0 || WORKER_MODES.contains(args[0])) {
      return true;
    }
    return Arrays.stream(args)
        .allMatch(
            arg ->
                arg.startsWith("--")
                    && arg.contains("=")
                    && !SignalboxCli.isGlobalOption(arg.substring(0, arg.indexOf('='))));
  }
}
