package io.signalbox.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.worker.DevServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code signalbox schedule …} against the embedded dev server (the Temporal Java test server),
 * which has no schedules: each command says so in one line instead of a stack trace, and bad usage
 * is refused. The commands on a real server are checked by hand (runbooks/dr-rehearsal/README.md).
 */
class ScheduleCommandTest {
  private static DevServer server;
  private static String address;

  @BeforeAll
  static void startServer() {
    server = DevServer.start(DevServer.freePort());
    address = "127.0.0.1:" + server.port();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private record Result(int code, String out, String err) {}

  private static Result cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--address");
    all.add(address);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        SignalboxCli.execute(
            all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void everyCommandOnAServerWithoutSchedulesSaysSoInOneLine() {
    for (String[] command :
        List.of(
            new String[] {"schedule", "show"},
            new String[] {"schedule", "pause", "--as", "bob", "--reason", "freeze"},
            new String[] {"schedule", "unpause", "--as", "bob"},
            new String[] {"schedule", "trigger", "--id", "dr-rehearsal-monthly"},
            new String[] {
              "schedule",
              "backfill",
              "--from",
              "2026-10-01T00:00:00Z",
              "--to",
              "2026-11-02T00:00:00Z"
            })) {
      Result r = cli(command);
      assertThat(r.code).as(String.join(" ", command)).isEqualTo(CliException.FAILED);
      assertThat(r.err)
          .as(String.join(" ", command))
          .startsWith("signalbox: the Temporal server at " + address + " has no schedules")
          .contains("signalbox start DrRehearsal")
          .hasLineCount(1);
    }
  }

  @Test
  void badUsageIsRefused() {
    Result none = cli("schedule");
    assertThat(none.code).isEqualTo(CliException.USAGE);
    assertThat(none.err).contains("Missing command: show, pause, unpause, trigger or backfill");

    Result noName = cli("schedule", "pause");
    assertThat(noName.code).isEqualTo(CliException.USAGE);
    assertThat(noName.err).contains("--as");

    Result badTime = cli("schedule", "backfill", "--from", "yesterday", "--to", "today");
    assertThat(badTime.code).isEqualTo(CliException.USAGE);
    assertThat(badTime.err).contains("--from 'yesterday' is not an ISO-8601 instant");

    Result badOverlap = cli("schedule", "trigger", "--overlap", "SOMETIMES");
    assertThat(badOverlap.code).isEqualTo(CliException.USAGE);
    assertThat(badOverlap.err).contains("--overlap SOMETIMES is not one of");
  }
}
