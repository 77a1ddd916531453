package io.signalbox.activities.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class CommandRunnerTest {
  private final CommandRunner runner = new CommandRunner();

  @Test
  void capturesOutputAndExitCode() throws Exception {
    CommandResult result = runner.run(CommandSpec.of("/bin/echo", "hello", "world"), null);

    assertThat(result.succeeded()).isTrue();
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout().tail()).isEqualTo("hello world\n");
    assertThat(result.stdout().totalBytes()).isEqualTo(12);
    assertThat(result.stdout().sha256()).isEqualTo(sha256("hello world\n".getBytes()));
    assertThat(result.stdout().truncated()).isFalse();
    assertThat(result.stderr().totalBytes()).isZero();
    assertThat(result.argv()).containsExactly("/bin/echo", "hello", "world");
  }

  @Test
  void argumentsAreNotInterpretedByAShell() {
    CommandResult result =
        runner.run(CommandSpec.of("/bin/echo", "$HOME", "a b", "'q'", ";", "`id`"), null);

    assertThat(result.stdout().tail()).isEqualTo("$HOME a b 'q' ; `id`\n");
  }

  @Test
  void nonZeroExitIsAResultWithTheStderrTail() {
    CommandResult result = runner.run(CommandSpec.of("sh", "-c", "echo oops >&2; exit 3"), null);

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.timedOut()).isFalse();
    assertThat(result.stderr().tail()).isEqualTo("oops\n");
    assertThat(result.summary()).isEqualTo("sh exited with 3: oops");
  }

  @Test
  void timeoutKillsTheChildAndItsDescendants() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    long t0 = System.nanoTime();
    CommandResult result =
        runner.run(
            CommandSpec.of("sh", "-c", "sleep 300 & echo $!; wait")
                .withTimeout(Duration.ofSeconds(1))
                .withStdoutLines(lines::add),
            null);

    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    assertThat(result.timedOut()).isTrue();
    assertThat(result.succeeded()).isFalse();
    assertThat(result.exitCode()).isNotZero();
    assertThat(lines).hasSize(1);
    assertGone(result.pid());
    assertGone(Long.parseLong(lines.get(0).trim()));
  }

  @Test
  void outputIsBoundedButCountedAndDigestedExactly() throws Exception {
    int size = 10 * 1024 * 1024 + 7;
    CommandResult result =
        runner.run(
            CommandSpec.of("head", "-c", Integer.toString(size), "/dev/zero").withTailBytes(65536),
            null);

    assertThat(result.succeeded()).isTrue();
    assertThat(result.stdout().totalBytes()).isEqualTo(size);
    assertThat(result.stdout().tail().getBytes(StandardCharsets.UTF_8)).hasSize(65536);
    assertThat(result.stdout().truncated()).isTrue();
    assertThat(result.stdout().sha256()).isEqualTo(sha256(new byte[size]));
  }

  @Test
  void tailKeepsTheEndOfTheOutput() {
    CommandResult result =
        runner.run(
            CommandSpec.of(
                    "sh", "-c", "i=0; while [ $i -lt 2000 ]; do echo line$i; i=$((i+1)); done")
                .withTailBytes(20),
            null);

    assertThat(result.stdout().tail()).endsWith("line1998\nline1999\n").hasSize(20);
  }

  @Test
  void environmentIsPassedAndSecretsStayOutOfArgv() {
    CommandSpec spec =
        CommandSpec.of(
                "sh", "-c", "printf '%s|%s|%s' \"$PLAIN\" \"$PGPASSWORD\" \"${HOME:-unset}\"")
            .withEnv(Map.of("PLAIN", "p1"))
            .withSecretEnv(Map.of("PGPASSWORD", "s3cr3t-value"));

    CommandResult result = new CommandRunner(Map.of("PATH", System.getenv("PATH"))).run(spec, null);

    assertThat(result.stdout().tail()).isEqualTo("p1|s3cr3t-value|unset");
    assertThat(String.join(" ", result.argv())).doesNotContain("s3cr3t-value");
    assertThat(spec.toString()).doesNotContain("s3cr3t-value").contains("PGPASSWORD");
  }

  @Test
  void aChildSeesOnlyTheBaseEnvironmentWhatItInheritsByNameAndWhatItIsGiven() {
    Map<String, String> worker = new HashMap<>();
    worker.put("PATH", System.getenv("PATH"));
    worker.put("HOME", "/home/signalbox");
    worker.put("LANG", "C.UTF-8");
    worker.put("TZ", "UTC");
    worker.put("TARGET_DB_PASSWORD", "target-secret-1");
    worker.put("PGPASSWORD", "libpq-secret-2");
    worker.put("SPRING_DATASOURCE_PASSWORD", "evidence-secret-3");
    worker.put("AWS_SECRET_ACCESS_KEY", "cloud-secret-4");
    worker.put("KUBECONFIG", "/etc/kube/config");
    CommandRunner runner = new CommandRunner(worker);

    CommandResult result =
        runner.run(
            CommandSpec.of("/usr/bin/env")
                .withInheritEnv(Set.of("KUBECONFIG", "NOT_SET_ANYWHERE"))
                .withEnv(Map.of("PLAIN", "p1"))
                .withSecretEnv(Map.of("GIVEN_SECRET", "given-secret-5")),
            null);

    assertThat(result.succeeded()).isTrue();
    Map<String, String> seen = parseEnv(result.stdout().tail());
    assertThat(seen)
        .containsOnlyKeys("PATH", "HOME", "LANG", "TZ", "KUBECONFIG", "PLAIN", "GIVEN_SECRET")
        .containsEntry("HOME", "/home/signalbox")
        .containsEntry("GIVEN_SECRET", "given-secret-5");
    assertThat(result.stdout().tail())
        .doesNotContain("target-secret-1", "libpq-secret-2", "evidence-secret-3", "cloud-secret-4");
  }

  @Test
  void theDefaultRunnerPassesNothingOfTheWorkersOwnEnvironmentButTheBase() {
    // The test JVM's real environment: it holds variables outside the base (this assertion keeps
    // the test meaningful), and none of them may reach the child.
    Set<String> outsideBase = new java.util.TreeSet<>(System.getenv().keySet());
    outsideBase.removeAll(CommandRunner.BASE_ENV);
    assertThat(outsideBase).isNotEmpty();

    CommandResult result = runner.run(CommandSpec.of("/usr/bin/env"), null);

    Map<String, String> seen = parseEnv(result.stdout().tail());
    assertThat(CommandRunner.BASE_ENV).containsAll(seen.keySet());
    assertThat(seen).containsEntry("PATH", System.getenv("PATH"));
    assertThat(seen.keySet()).doesNotContainAnyElementsOf(outsideBase);
  }

  private static Map<String, String> parseEnv(String text) {
    Map<String, String> env = new HashMap<>();
    text.lines()
        .filter(l -> l.indexOf('=') > 0)
        .forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
    return env;
  }

  @Test
  void refusesASecretInArgv() {
    CommandSpec spec =
        CommandSpec.of("psql", "postgresql://u:hunter22@h/db")
            .withSecretEnv(Map.of("PGPASSWORD", "hunter22"));

    assertThatThrownBy(() -> runner.run(spec, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PGPASSWORD")
        .hasMessageNotContaining("hunter22");
  }

  @Test
  void progressIsReportedWhileItRuns() {
    List<CommandProgress> seen = new CopyOnWriteArrayList<>();
    CommandResult result =
        runner.run(
            CommandSpec.of("sh", "-c", "for i in 1 2 3 4 5 6; do echo tick; sleep 0.2; done")
                .withProgressInterval(Duration.ofMillis(100)),
            seen::add);

    assertThat(result.succeeded()).isTrue();
    assertThat(seen).hasSizeGreaterThanOrEqualTo(3);
    assertThat(seen.get(seen.size() - 1).stdoutBytes()).isGreaterThan(0);
    assertThat(seen).allSatisfy(p -> assertThat(p.pid()).isEqualTo(result.pid()));
  }

  @Test
  void aThrowingListenerKillsTheChildAndPropagates() throws Exception {
    AtomicLong grandchild = new AtomicLong();
    AtomicLong child = new AtomicLong();
    RuntimeException cancel = new IllegalStateException("cancelled by the test");

    assertThatThrownBy(
            () ->
                runner.run(
                    CommandSpec.of("sh", "-c", "sleep 300 & echo $!; wait")
                        .withProgressInterval(Duration.ofMillis(100))
                        .withStdoutLines(l -> grandchild.set(Long.parseLong(l.trim()))),
                    p -> {
                      child.set(p.pid());
                      if (grandchild.get() > 0) {
                        throw cancel;
                      }
                    }))
        .isSameAs(cancel);

    assertThat(child.get()).isPositive();
    assertThat(grandchild.get()).isPositive();
    assertGone(child.get());
    assertGone(grandchild.get());
  }

  @Test
  void aMissingProgramCannotBeStarted() {
    assertThatThrownBy(() -> runner.run(CommandSpec.of("/nonexistent/signalbox-tool"), null))
        .isInstanceOf(CommandException.class)
        .hasMessageContaining("cannot start /nonexistent/signalbox-tool");
  }

  /** Gone: no such process, or a zombie waiting for a reaper that is not ours. */
  static void assertGone(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (!Files.exists(stat)) {
      return;
    }
    String text;
    try {
      text = Files.readString(stat);
    } catch (IOException e) {
      return; // exited while reading
    }
    String state = text.substring(text.lastIndexOf(')') + 2, text.lastIndexOf(')') + 3);
    assertThat(state).as("state of pid %d", pid).isEqualTo("Z");
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
