package io.signalbox.worker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The alert rules shipped in {@code runbooks/dr-rehearsal/}: valid for Prometheus ({@code promtool
 * check rules}), firing as their unit tests say ({@code promtool test rules}), and on metric names
 * the worker exports. promtool comes from Debian's {@code prometheus} package ({@code .ci/run}
 * installs it); without it this test fails, it never skips.
 */
class DrRehearsalAlertsTest {
  private static final Path FOLDER = Path.of("..", "runbooks", "dr-rehearsal").toAbsolutePath();

  private record Run(int code, String output) {}

  /** promtool from {@code PROMTOOL}, the PATH, or Debian's place for it. */
  static Path promtool() {
    List<Path> candidates = new ArrayList<>();
    String env = System.getenv("PROMTOOL");
    if (env != null && !env.isBlank()) {
      candidates.add(Path.of(env));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isBlank()) {
        candidates.add(Path.of(dir, "promtool"));
      }
    }
    candidates.add(Path.of("/usr/bin/promtool"));
    return candidates.stream()
        .filter(Files::isExecutable)
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "promtool not found (PROMTOOL, PATH, /usr/bin): install Debian's prometheus"
                        + " package (apt-get install -y prometheus), as .ci/run does"));
  }

  private static Run promtool(String... args) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>();
    argv.add(promtool().toString());
    argv.addAll(List.of(args));
    Process p =
        new ProcessBuilder(argv).directory(FOLDER.toFile()).redirectErrorStream(true).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("promtool " + String.join(" ", args) + " did not finish");
    }
    return new Run(
        p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void theRulesAreValid() throws Exception {
    Run check = promtool("check", "rules", "alerts.yaml");
    assertThat(check.code()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS: 4 rules found");
  }

  @Test
  void theRulesFireAsTheirUnitTestsSay() throws Exception {
    Run test = promtool("test", "rules", "alerts.test.yaml");
    assertThat(test.code()).as(test.output()).isZero();
    assertThat(test.output()).contains("SUCCESS");
  }

  @Test
  void theRulesUseOnlyMetricsTheWorkerExports() throws IOException {
    String rules = Files.readString(FOLDER.resolve("alerts.yaml"));
    Set<String> used = new TreeSet<>();
    Matcher m = Pattern.compile("\\bsignalbox_[a-z_]+").matcher(rules);
    while (m.find()) {
      used.add(m.group());
    }
    used.removeIf(name -> name.startsWith("signalbox_backups")); // the group's name
    assertThat(used).isNotEmpty();
    assertThat(new BackupMetrics(null).getPrometheusNames()).containsAll(used);
  }
}
