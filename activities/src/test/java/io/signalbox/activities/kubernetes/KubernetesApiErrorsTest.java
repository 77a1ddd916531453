package io.signalbox.activities.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeClusterHealthInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchInput;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** API errors become the right failure type, and a Secret's server message is never repeated. */
@EnableKubernetesMockClient
class KubernetesApiErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  KubernetesMockServer server;
  KubernetesClient mockClient;

  private KubernetesClient client;
  private TestActivityEnvironment env;
  private KubernetesActivities activities;

  @BeforeEach
  void setUp() {
    // As the worker builds it: fabric8 does not retry, Temporal does.
    client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(mockClient.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build();
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(new KubernetesActivitiesImpl(client));
    activities =
        env.newActivityStub(
            KubernetesActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
    client.close();
  }

  @Test
  void forbiddenIsPreconditionFailedPointingAtTheRole() {
    server
        .expect()
        .get()
        .withPath("/apis/postgresql.cnpg.io/v1/namespaces/databases/clusters/gitea-db")
        .andReturn(403, status(403, "Forbidden", "clusters is forbidden"))
        .always();

    ApplicationFailure failure =
        failureOf(
            () -> activities.clusterHealth(new KubeClusterHealthInput("databases", "gitea-db")));

    assertThat(failure.getType()).isEqualTo("PreconditionFailed");
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .contains("not allowed to get CloudNativePG Cluster databases/gitea-db (403")
        .contains("deploy/kubernetes/README.md");
  }

  @Test
  void aServerErrorIsRetryable() {
    server
        .expect()
        .get()
        .withPath("/apis/postgresql.cnpg.io/v1/namespaces/databases/clusters/gitea-db")
        .andReturn(503, status(503, "ServiceUnavailable", "etcd is down"))
        .always();

    ApplicationFailure failure =
        failureOf(
            () -> activities.clusterHealth(new KubeClusterHealthInput("databases", "gitea-db")));

    assertThat(failure.getType()).isEqualTo("Transient");
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage()).contains("code 503");
  }

  @Test
  void aRefusedSecretPatchDoesNotRepeatTheServersMessage() throws Exception {
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/gitea/secrets/gitea-db")
        .andReturn(
            200,
            new SecretBuilder()
                .withNewMetadata()
                .withName("gitea-db")
                .withNamespace("gitea")
                .endMetadata()
                .addToData("host", "b2xk")
                .build())
        .always();
    server
        .expect()
        .get()
        .withPath("/api/v1/namespaces/gitea/secrets/gitea-db-signalbox-backup-r1")
        .andReturn(200, new SecretBuilder().withNewMetadata().endMetadata().build())
        .always();
    server
        .expect()
        .patch()
        .withPath("/api/v1/namespaces/gitea/secrets/gitea-db")
        .andReturn(422, status(422, "Invalid", "data[host]: Invalid value: \"leaked-value\""))
        .always();

    KubePatchInput patch =
        new KubePatchInput(
            "v1",
            "Secret",
            null,
            "gitea",
            "gitea-db",
            JSON.readTree("{\"stringData\":{\"host\":\"leaked-value\"}}"),
            null,
            "r1");

    ApplicationFailure failure = failureOf(() -> activities.mergePatch(patch));

    assertThat(failure.getType()).isEqualTo("InvalidInput");
    assertThat(failure.getOriginalMessage())
        .contains("patch Secret gitea/gitea-db (422 Invalid)")
        .doesNotContain("leaked-value");
  }

  private static Status status(int code, String reason, String message) {
    return new StatusBuilder()
        .withStatus("Failure")
        .withCode(code)
        .withReason(reason)
        .withMessage(message)
        .build();
  }

  private static ApplicationFailure failureOf(Runnable call) {
    Throwable thrown = catchThrowable(call::run);
    assertThat(thrown).isInstanceOf(ActivityFailure.class);
    assertThat(thrown.getCause()).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) thrown.getCause();
  }
}
