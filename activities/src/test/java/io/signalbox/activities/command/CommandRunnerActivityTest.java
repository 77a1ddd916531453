package io.signalbox.activities.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbox.workflows.core.CommandActivities;
import io.signalbox.workflows.core.CommandActivities.CommandInput;
import io.signalbox.workflows.core.CommandActivities.CommandOutput;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link CommandActivitiesImpl} in Temporal's activity test environment. */
@Timeout(60)
class CommandRunnerActivityTest {
  private TestActivityEnvironment env;
  private CommandActivities activities;

  @BeforeEach
  void setUp() {
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new CommandActivitiesImpl(
            new CommandRunner(),
            ref -> ref.env().equals("TEST_TOKEN") ? "tok-123" : null,
            Duration.ofMillis(100)));
    activities =
        env.newActivityStub(
            CommandActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setHeartbeatTimeout(Duration.ofSeconds(10))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  @Test
  void runsAndReportsTails() {
    CommandOutput out =
        activities.run(
            new CommandInput(
                List.of("sh", "-c", "printf %s \"$TOKEN\"; echo err >&2; exit 2"),
                "PT30S",
                Map.of(),
                Map.of("TOKEN", new SecretRef("TEST_TOKEN", null, null)),
                null,
                null));

    assertThat(out.exitCode()).isEqualTo(2);
    assertThat(out.succeeded()).isFalse();
    assertThat(out.stdoutTail()).isEqualTo("tok-123");
    assertThat(out.stderrTail()).isEqualTo("err\n");
    assertThat(out.argv()).noneMatch(a -> a.contains("tok-123"));
  }

  @Test
  void aCommandSeesTheKubernetesSettingsAndItsOwnEnvironmentButNoOtherSecretOfTheWorker() {
    Map<String, String> worker =
        Map.of(
            "PATH", System.getenv("PATH"),
            "HOME", "/home/signalbox",
            "KUBECONFIG", "/etc/signalbox/kubeconfig",
            "KUBERNETES_SERVICE_HOST", "10.0.0.1",
            "KUBERNETES_SERVICE_PORT", "443",
            "GITEA_DB_PASSWORD", "source-secret-1",
            "TARGET_DB_PASSWORD", "target-secret-2",
            "SPRING_DATASOURCE_PASSWORD", "evidence-secret-3");
    TestActivityEnvironment own = TestActivityEnvironment.newInstance();
    try {
      own.registerActivitiesImplementations(
          new CommandActivitiesImpl(
              new CommandRunner(worker),
              ref -> ref.env().equals("TEST_TOKEN") ? "tok-123456" : null,
              Duration.ofMillis(100)));
      CommandOutput out =
          own.newActivityStub(
                  CommandActivities.class,
                  ActivityOptions.newBuilder()
                      .setStartToCloseTimeout(Duration.ofMinutes(1))
                      .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                      .build())
              .run(
                  new CommandInput(
                      List.of("/usr/bin/env"),
                      "PT30S",
                      Map.of("HELM_NAMESPACE", "gitea"),
                      Map.of("HELM_TOKEN", new SecretRef("TEST_TOKEN", null, null)),
                      null,
                      null));

      assertThat(out.succeeded()).isTrue();
      assertThat(out.stdoutTail().lines().map(l -> l.substring(0, l.indexOf('='))).sorted())
          .containsExactly(
              "HELM_NAMESPACE",
              "HELM_TOKEN",
              "HOME",
              "KUBECONFIG",
              "KUBERNETES_SERVICE_HOST",
              "KUBERNETES_SERVICE_PORT",
              "PATH");
      assertThat(out.stdoutTail())
          .contains("HELM_TOKEN=tok-123456")
          .doesNotContain("source-secret-1", "target-secret-2", "evidence-secret-3");
    } finally {
      own.close();
    }
  }

  @Test
  void heartbeatsWhileRunning() {
    List<CommandProgress> beats = new CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(CommandProgress.class, beats::add);

    CommandOutput out =
        activities.run(new CommandInput(List.of("sleep", "0.6"), "PT30S", null, null, null, null));

    assertThat(out.succeeded()).isTrue();
    assertThat(beats).isNotEmpty();
  }

  @Test
  void badTimeoutIsInvalidInput() {
    assertThatThrownBy(
            () ->
                activities.run(
                    new CommandInput(List.of("true"), "ten minutes", null, null, null, null)))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.getType()).isEqualTo("InvalidInput"));
  }

  @Test
  void cancellationKillsTheChild() throws Exception {
    List<CommandProgress> beats = new CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(CommandProgress.class, beats::add);
    CompletableFuture<CommandOutput> running =
        CompletableFuture.supplyAsync(
            () ->
                activities.run(
                    new CommandInput(List.of("sleep", "300"), "PT5M", null, null, null, null)));
    while (beats.isEmpty()) {
      Thread.sleep(50);
    }
    long pid = beats.get(0).pid();

    env.requestCancelActivity();

    assertThatThrownBy(running::join).isNotNull();
    CommandRunnerTest.assertGone(pid);
  }
}
