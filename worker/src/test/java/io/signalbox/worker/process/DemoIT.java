package io.signalbox.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.worker.DevServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 14 end to end, as the README's no-Docker section tells a new user: {@code signalbox dev
 * --demo} from the packaged jar (dev server, worker, two demo PostgreSQL servers from the machine's
 * binaries), then the commands it prints, each run as its own CLI process of the jar in the same
 * directory: start the migration, status, approve gate freeze, approve gate switch, status (the
 * outcome line) and the evidence report. Stopping the process removes the demo servers and files.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DemoIT {
  private static final Logger log = LoggerFactory.getLogger(DemoIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration STEP_WAIT = Duration.ofMinutes(2);

  @RegisterExtension ProcessHarness harness = new ProcessHarness();

  private Path home;
  private int temporalPort;
  private int cliRuns;

  @Test
  void demoMigrationThroughTheCliToCompletedAndItsEvidence() throws Exception {
    home = Files.createDirectories(harness.dir().resolve("home"));
    temporalPort = DevServer.freePort();
    SignalboxProcess dev =
        harness.start(
            "dev-demo",
            home,
            Map.of(),
            null,
            "dev",
            "--demo",
            "--signalbox.dev-server.port=" + temporalPort,
            "--server.port=" + DevServer.freePort());
    dev.awaitLog("./signalbox evidence demo-migration", Duration.ofMinutes(3));
    String banner = dev.logText();

    // What it says it runs, and the commands it prints, in order.
    List<String> dirs =
        matches(banner, "Demo PostgreSQL started on 127\\.0\\.0\\.1:\\d+ \\((\\S+)\\)");
    assertThat(dirs).hasSize(2).allSatisfy(d -> assertThat(Path.of(d)).isDirectory());
    assertThat(banner).containsPattern("source  127\\.0\\.0\\.1:\\d+  database gitea, user gitea:");
    List<String> commands = matches(banner, "(?m)^  (\\./signalbox .+)$");
    log.info("the demo prints: {}", commands);
    // The dev server is not on the CLI's default port: each command says where it is.
    String address = " --address 127.0.0.1:" + temporalPort;
    assertThat(commands)
        .containsExactly(
            "./signalbox start GiteaDbMigration --input var/demo/gitea-db-migration.json"
                + " --id demo-migration"
                + address,
            "./signalbox status demo-migration" + address,
            "./signalbox approve demo-migration --gate freeze --as bob --comment \"demo window\""
                + address,
            "./signalbox approve demo-migration --gate switch --as bob --comment \"counts and"
                + " checksums match\""
                + address,
            "./signalbox evidence demo-migration" + address);

    // The input it wrote: file password references (0600), no dumpDir (the worker's default).
    Path input = home.resolve("var/demo/gitea-db-migration.json");
    JsonNode in = JSON.readTree(input.toFile());
    assertThat(in.path("copy").has("dumpDir")).isFalse();
    Path sourcePassword = Path.of(in.path("source").path("password").path("file").asText());
    Path targetPassword = Path.of(in.path("target").path("password").path("file").asText());
    assertThat(Files.getPosixFilePermissions(sourcePassword))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readString(input)).doesNotContain(Files.readString(sourcePassword).strip());

    Cli started = cli(commands.get(0));
    assertThat(started.out).contains("Started GiteaDbMigration as demo-migration");

    awaitGate("freeze");
    Cli waiting = cli(commands.get(1));
    assertThat(waiting.out)
        .contains("Waiting at gate 'freeze'")
        .containsPattern("safety-backup\\s+DONE");
    cli(commands.get(2));

    awaitGate("switch");
    Cli verified = cli(commands.get(1));
    assertThat(verified.out)
        .contains("Waiting at gate 'switch'")
        .containsPattern("copy\\s+DONE\\s+.*verified: 6 tables and 60000 rows match");
    cli(commands.get(3));

    JsonNode end = awaitStatus(s -> s.path("phase").asText().equals("COMPLETED"));
    assertThat(end.path("pendingGate").isNull()).isTrue();
    Cli done = awaitCli(commands.get(1), out -> out.startsWith("Outcome       COMPLETED"));
    log.info("status after the end:\n{}", done.out);
    assertThat(done.out).contains("Execution     COMPLETED");

    Cli evidence = cli(commands.get(4));
    log.info("evidence report:\n{}", evidence.out);
    assertThat(evidence.out)
        .startsWith("# GiteaDbMigration demo-migration: COMPLETED")
        .contains("**Matches:** yes")
        // The dev profile has no database: the copy's whole report is a file under the evidence
        // directory, found by its reference and digest.
        .contains("**Full report:** SHA-256 matches: all 6 tables")
        .contains("| public.attachment | 1000 | 1000 |")
        .contains("| public.action | 18300 | 18300 |")
        .contains("| freeze | APPROVED | bob |")
        .contains("| switch | APPROVED | bob |");

    // The shapes came across: identity, the stand-alone sequence, the view and the trigger.
    int targetPort = in.path("target").path("port").asInt();
    String password = Files.readString(targetPassword).strip();
    assertThat(
            query(
                targetPort,
                password,
                "SELECT (SELECT count(*) FROM open_issues)"
                    + " || ' ' || (SELECT is_identity FROM information_schema.columns"
                    + "   WHERE table_name = 'attachment' AND column_name = 'id')"
                    + " || ' ' || (SELECT count(*) FROM pg_trigger WHERE tgname = 'issue_counts')"
                    + " || ' ' || (SELECT last_value FROM action_seq)"
                    + " || ' ' || (SELECT sum(num_issues) FROM repository)"))
        .isEqualTo("7500 YES 1 92495 10000");

    // Stopping the process (Ctrl-C) stops and removes the demo servers and its files.
    assertThat(dev.stop(Duration.ofSeconds(60))).isIn(0, 130, 143);
    for (String d : dirs) {
      assertThat(Path.of(d)).doesNotExist();
    }
    assertThat(input).doesNotExist();
    assertThat(sourcePassword).doesNotExist();
    assertThat(targetPassword).doesNotExist();
  }

  /** Without PostgreSQL binaries the demo says how to install them, and nothing stays running. */
  @Test
  void withoutPostgresBinariesTheDemoSaysHowToInstallThem() throws IOException {
    home = Files.createDirectories(harness.dir().resolve("home"));
    Path empty = Files.createDirectories(harness.dir().resolve("no-postgres"));
    SignalboxProcess dev =
        harness.start(
            "dev-demo-no-pg",
            home,
            Map.of("PG_BIN", empty.toString()),
            null,
            "dev",
            "--demo",
            "--signalbox.dev-server.port=" + DevServer.freePort(),
            "--server.port=" + DevServer.freePort());
    assertThat(dev.awaitExit(Duration.ofMinutes(2))).isEqualTo(1);
    assertThat(dev.logText())
        .contains("The demo needs two PostgreSQL servers of its own")
        .contains("PG_BIN is " + empty + " but initdb and pg_ctl are not there")
        .contains("apt-get install postgresql")
        .doesNotContain("\tat io.signalbox");
    assertThat(home.resolve("var/demo/gitea-db-migration.json")).doesNotExist();
  }

  // ------------------------------------------------------------------ helpers

  private record Cli(int exit, String out) {}

  /**
   * Runs a printed command as the launcher does ({@code ./signalbox ARGS} is {@code java -jar
   * signalbox.jar ARGS}) in the demo's directory, as printed (no TEMPORAL_ADDRESS: the command must
   * say where the dev server is); fails unless it exits 0.
   */
  private Cli cli(String command) {
    Cli result = run(command);
    assertThat(result.exit).as("%s:\n%s", command, result.out).isZero();
    return result;
  }

  private Cli run(String command) {
    List<String> args = words(command);
    assertThat(args.get(0)).isEqualTo("./signalbox");
    String name = "cli-" + (++cliRuns);
    SignalboxProcess p =
        harness.start(
            name, home, Map.of(), null, args.subList(1, args.size()).toArray(String[]::new));
    int exit = p.awaitExit(Duration.ofMinutes(1));
    String text = p.logText();
    // The first line of the log is the command line the harness wrote.
    String out = text.substring(text.indexOf('\n') + 1);
    return new Cli(exit, out);
  }

  private Cli awaitCli(String command, Predicate<String> until) {
    long deadline = System.nanoTime() + STEP_WAIT.toNanos();
    Cli last = null;
    while (System.nanoTime() < deadline) {
      last = cli(command);
      if (until.test(last.out)) {
        return last;
      }
      SignalboxProcess.sleep(1000);
    }
    throw new AssertionError(command + " never matched; last output:\n" + last.out);
  }

  private void awaitGate(String gate) {
    awaitStatus(s -> s.path("pendingGate").path("gate").asText().equals(gate));
  }

  /** Polls {@code status demo-migration --json} through the CLI. */
  private JsonNode awaitStatus(Predicate<JsonNode> until) {
    long deadline = System.nanoTime() + STEP_WAIT.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      Cli status =
          run("./signalbox status demo-migration --json --address 127.0.0.1:" + temporalPort);
      if (status.exit == 0) {
        try {
          last = JSON.readTree(status.out);
        } catch (IOException e) {
          throw new AssertionError("status --json is not JSON: " + status.out, e);
        }
        if (until.test(last)) {
          return last;
        }
        assertThat(last.path("phase").asText()).isNotIn("FAILED", "ROLLED_BACK", "CANCELLED");
      }
      SignalboxProcess.sleep(1000);
    }
    throw new AssertionError("status never matched; last: " + last);
  }

  /** Splits a printed command into its words, as a shell would ("…" quotes a word). */
  static List<String> words(String command) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(command);
    while (m.find()) {
      out.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return out;
  }

  private static List<String> matches(String text, String regex) {
    List<String> out = new ArrayList<>();
    Matcher m = Pattern.compile(regex).matcher(text);
    while (m.find()) {
      out.add(m.group(1));
    }
    return out;
  }

  private static String query(int port, String password, String sql) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", "gitea");
    props.setProperty("password", password);
    try (Connection c =
            DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/gitea", props);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
