package io.signalbox.worker.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.context.event.ApplicationFailedEvent;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The {@code demo} profile ({@code signalbox dev --demo}): starts {@link DemoDatabases} before the
 * worker, writes an example GiteaDbMigration input between them with its password files, and once
 * the worker runs prints the command that starts the migration and how to approve each gate.
 * Stopping the process stops the servers and deletes them and the files.
 *
 * <p>The files go to {@code signalbox.demo.dir} (default {@code var/demo}): {@code
 * gitea-db-migration.json} and {@code source.password} / {@code target.password} (mode 0600), which
 * the input references as {@code {"file": …}}. The input leaves {@code copy.dumpDir} out, so the
 * worker's dump directory is used (always inside its dump roots).
 *
 * <p>Registered in {@code META-INF/spring.factories}, like the dev server's listener.
 */
public class DemoListener implements ApplicationListener<ApplicationEvent>, Ordered {

  /** The profile that starts the demo databases. */
  public static final String PROFILE = "demo";

  /** The id the printed commands use. */
  public static final String RUN_ID = "demo-migration";

  static final String DIR_PROPERTY = "signalbox.demo.dir";
  private static final String TARGET_PROPERTY = "spring.temporal.connection.target";
  private static final String NAMESPACE_PROPERTY = "spring.temporal.namespace";
  private static final String CLI_DEFAULT_ADDRESS = "localhost:7233";
  private static final String CLI_DEFAULT_NAMESPACE = "default";
  static final String INPUT_FILE = "gitea-db-migration.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private DemoDatabases databases;
  private Path dir;
  private Path input;

  @Override
  public void onApplicationEvent(ApplicationEvent event) {
    if (event instanceof ApplicationEnvironmentPreparedEvent prepared) {
      start(prepared.getEnvironment());
    } else if (event instanceof ApplicationReadyEvent ready) {
      ConfigurableEnvironment environment = ready.getApplicationContext().getEnvironment();
      printInstructions(
          System.out,
          connectionFlags(
              environment.getProperty(TARGET_PROPERTY),
              environment.getProperty(NAMESPACE_PROPERTY),
              System::getenv));
    } else if (event instanceof ApplicationFailedEvent) {
      stop();
    }
  }

  private synchronized void start(ConfigurableEnvironment environment) {
    if (databases != null || !environment.matchesProfiles(PROFILE)) {
      return;
    }
    dir = Path.of(environment.getProperty(DIR_PROPERTY, "var/demo")).toAbsolutePath().normalize();
    databases = DemoDatabases.start(System::getenv);
    SpringApplication.getShutdownHandlers().add(this::stop);
    try {
      input = writeFiles(databases, dir);
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException("cannot write the demo's input into " + dir, e);
    }
  }

  /**
   * Writes the password files (0600) and the migration's input; returns the input's path.
   *
   * @throws IOException when the directory cannot be written
   */
  static Path writeFiles(DemoDatabases databases, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path sourcePassword = secretFile(dir.resolve("source.password"), databases.source().password());
    Path targetPassword = secretFile(dir.resolve("target.password"), databases.target().password());
    ObjectNode in = JSON.createObjectNode();
    in.put("requestedBy", "alice");
    ObjectNode approvals = in.putObject("approvals");
    approvals.putArray("approvers").add("bob").add("carol");
    approvals.put("minApprovals", 1);
    approvals.put("timeout", "PT24H");
    endpoint(in.putObject("source"), databases.source(), sourcePassword);
    endpoint(in.putObject("target"), databases.target(), targetPassword);
    in.putObject("copy").put("jobs", 2);
    in.putObject("verify").put("checksums", true);
    Path file = dir.resolve(INPUT_FILE);
    Files.writeString(
        file,
        JSON.writerWithDefaultPrettyPrinter().writeValueAsString(in) + "\n",
        StandardCharsets.UTF_8);
    return file;
  }

  private static void endpoint(ObjectNode e, DemoServer server, Path password) {
    e.put("host", server.host());
    e.put("port", server.port());
    e.put("database", DemoDatabases.DATABASE);
    e.put("user", DemoDatabases.USER);
    e.putObject("password").put("file", password.toString());
    e.put("sslmode", "disable");
  }

  private static Path secretFile(Path file, String value) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(
        file, value + "\n", StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    return file;
  }

  /**
   * The options the printed commands need to reach this worker's Temporal server: none when the CLI
   * would find it by itself (its default, or {@code TEMPORAL_ADDRESS} / {@code TEMPORAL_NAMESPACE}
   * already saying so), else {@code --address} and {@code --namespace}, e.g. when the dev server
   * runs on another port.
   *
   * @param target the worker's Temporal address ({@code spring.temporal.connection.target})
   * @param namespace the worker's namespace, null for the default
   * @param env the environment the CLI will read (the one this process got)
   */
  static String connectionFlags(String target, String namespace, Function<String, String> env) {
    StringBuilder flags = new StringBuilder();
    String cliAddress =
        Objects.requireNonNullElse(env.apply("TEMPORAL_ADDRESS"), CLI_DEFAULT_ADDRESS);
    if (target != null && !sameAddress(target, cliAddress)) {
      flags.append(" --address ").append(target);
    }
    String cliNamespace =
        Objects.requireNonNullElse(env.apply("TEMPORAL_NAMESPACE"), CLI_DEFAULT_NAMESPACE);
    if (namespace != null && !namespace.equals(cliNamespace)) {
      flags.append(" --namespace ").append(namespace);
    }
    return flags.toString();
  }

  private static boolean sameAddress(String a, String b) {
    return loopbackAsLocalhost(a).equals(loopbackAsLocalhost(b));
  }

  private static String loopbackAsLocalhost(String address) {
    return address.replaceFirst("^(127\\.0\\.0\\.1|\\[::1\\]):", "localhost:");
  }

  /**
   * What the demo runs and the commands of a migration between its databases.
   *
   * @param flags appended to every command: see {@link #connectionFlags}
   */
  synchronized void printInstructions(PrintStream out, String flags) {
    if (databases == null) {
      return;
    }
    String in = shown(input);
    List<String> lines =
        List.of(
            "",
            "Demo databases (stopped and removed when this process stops):",
            "  source  127.0.0.1:"
                + databases.source().port()
                + "  database gitea, user gitea: Gitea-like sample data ("
                + databases.source().size()
                + ")",
            "  target  127.0.0.1:"
                + databases.target().port()
                + "  database gitea, user gitea: empty",
            "  input   "
                + in
                + " (passwords referenced as files "
                + shown(dir.resolve("source.password"))
                + ", "
                + shown(dir.resolve("target.password"))
                + ", mode 0600)",
            "",
            "In another terminal, from this directory, migrate source to target:",
            "  ./signalbox start GiteaDbMigration --input " + in + " --id " + RUN_ID + flags,
            "  ./signalbox status " + RUN_ID + flags,
            "At gate freeze (after the preflight and the safety backup), approve as bob or carol:",
            "  ./signalbox approve "
                + RUN_ID
                + " --gate freeze --as bob --comment \"demo window\""
                + flags,
            "At gate switch (after the copy and its verification; status shows the report):",
            "  ./signalbox approve "
                + RUN_ID
                + " --gate switch --as bob --comment \"counts and checksums match\""
                + flags,
            "Then the evidence report:",
            "  ./signalbox evidence " + RUN_ID + flags,
            "");
    lines.forEach(out::println);
    out.flush();
  }

  private static String shown(Path file) {
    Path cwd = Path.of("").toAbsolutePath();
    return file.startsWith(cwd) ? cwd.relativize(file).toString() : file.toString();
  }

  private synchronized void stop() {
    if (databases != null) {
      databases.close();
      databases = null;
      for (String name : List.of(INPUT_FILE, "source.password", "target.password")) {
        try {
          Files.deleteIfExists(dir.resolve(name));
        } catch (IOException e) {
          // Best effort: the servers these files point at are gone anyway.
        }
      }
    }
  }

  /** After the dev server's listener, which runs at the lowest precedence too. */
  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }
}
