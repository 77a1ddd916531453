package io.signalbox.activities.kubernetes;

import static io.signalbox.testing.GiteaClusterFixtures.b64;
import static io.signalbox.testing.GiteaClusterFixtures.cnpgCluster;
import static io.signalbox.testing.GiteaClusterFixtures.giteaDeployment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.signalbox.activities.kubernetes.KubernetesActivitiesImpl.PatchHeartbeat;
import io.signalbox.activities.kubernetes.KubernetesActivitiesImpl.ScaleHeartbeat;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeClusterHealth;
import io.signalbox.workflows.core.KubernetesActivities.KubeClusterHealthInput;
import io.signalbox.workflows.core.KubernetesActivities.KubeDeploymentStatus;
import io.signalbox.workflows.core.KubernetesActivities.KubeDeploymentStatusInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchResult;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleInput;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleResult;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@EnableKubernetesMockClient(crud = true)
class KubernetesActivitiesImplTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  KubernetesClient client;

  private TestActivityEnvironment env;
  private KubernetesActivities activities;
  private ScheduledExecutorService background;
  private ListAppender<ILoggingEvent> logs;
  private volatile int[] reported;
  private volatile boolean controllerRunning;

  @BeforeEach
  void setUp() {
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new KubernetesActivitiesImpl(client, Duration.ofMillis(50)));
    activities =
        env.newActivityStub(
            KubernetesActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                // Heartbeats reach the listener at most every 0.8 × this: keep it short.
                .setHeartbeatTimeout(Duration.ofSeconds(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    background = Executors.newSingleThreadScheduledExecutor();
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(KubernetesActivitiesImpl.class)).addAppender(logs);
  }

  @AfterEach
  void tearDown() {
    ((Logger) LoggerFactory.getLogger(KubernetesActivitiesImpl.class)).detachAppender(logs);
    background.shutdownNow();
    env.close();
  }

  // ---------------------------------------------------------------- CloudNativePG cluster health

  @Test
  void clusterHealthyWhenPhaseHealthyAndAllInstancesReady() {
    createCluster(3, "Cluster in healthy state", 3);

    KubeClusterHealth health =
        activities.clusterHealth(new KubeClusterHealthInput("databases", "gitea-db"));

    assertThat(health.healthy()).isTrue();
    assertThat(health.phase()).isEqualTo(KubeClusterHealth.HEALTHY_PHASE);
    assertThat(health.instances()).isEqualTo(3);
    assertThat(health.readyInstances()).isEqualTo(3);
    assertThat(health.currentPrimary()).isEqualTo("gitea-db-1");
    assertThat(health.reason()).contains("3/3 instances ready", "primary gitea-db-1");
  }

  @Test
  void clusterUnhealthyWhenNotAllInstancesReady() {
    createCluster(3, "Cluster in healthy state", 2);

    KubeClusterHealth health =
        activities.clusterHealth(new KubeClusterHealthInput("databases", "gitea-db"));

    assertThat(health.healthy()).isFalse();
    assertThat(health.readyInstances()).isEqualTo(2);
    assertThat(health.reason()).contains("databases/gitea-db", "2/3 instances ready");
  }

  @Test
  void clusterUnhealthyInAnotherPhase() {
    createCluster(1, "Setting up primary", 0);

    KubeClusterHealth health =
        activities.clusterHealth(new KubeClusterHealthInput("databases", "gitea-db"));

    assertThat(health.healthy()).isFalse();
    assertThat(health.reason()).contains("'Setting up primary'", "0/1 instances ready");
  }

  @Test
  void missingClusterIsPreconditionFailedNamingIt() {
    ApplicationFailure failure =
        failureOf(
            () -> activities.clusterHealth(new KubeClusterHealthInput("databases", "gitea-db")));

    assertThat(failure.getType()).isEqualTo("PreconditionFailed");
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("Cluster databases/gitea-db not found");
  }

  // ---------------------------------------------------------------- scale

  @Test
  void scaleToZeroRecordsPreviousReplicasAndWaitsForPodsToGo() {
    createDeployment(2, 2, 2);
    createPod("gitea-1");
    createPod("gitea-2");
    List<ScaleHeartbeat> beats = new CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(ScaleHeartbeat.class, beats::add);
    controller(2, 2, 2);
    // The pods go 2 s later, after the activity has waited and heartbeated.
    background.schedule(
        () -> {
          controller(0, 0, 0);
          client.pods().inNamespace("gitea").withName("gitea-1").delete();
          client.pods().inNamespace("gitea").withName("gitea-2").delete();
        },
        2,
        TimeUnit.SECONDS);

    KubeScaleResult result =
        activities.scale(new KubeScaleInput("Deployment", "gitea", "gitea", 0, "PT20S", "req-1"));

    assertThat(result.previousReplicas()).isEqualTo(2);
    assertThat(result.replicas()).isZero();
    assertThat(result.changed()).isTrue();
    assertThat(result.waitedMillis()).isGreaterThanOrEqualTo(1000);
    assertThat(deployment().getSpec().getReplicas()).isZero();
    assertThat(beats).isNotEmpty();
    assertThat(beats.get(0).previousReplicas()).isEqualTo(2);
    assertThat(beats.get(0).requestId()).isEqualTo("req-1");
    assertThat(beats)
        .extracting(ScaleHeartbeat::waitingFor)
        .anyMatch(w -> w.contains("status.replicas 2 to reach 0"));
  }

  @Test
  void scaleToZeroWaitsForMatchingPodsEvenWhenStatusSaysZero() {
    createDeployment(1, 0, 0);
    createPod("gitea-1");
    List<ScaleHeartbeat> beats = new CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(ScaleHeartbeat.class, beats::add);
    controller(0, 0, 0);
    background.schedule(
        () -> client.pods().inNamespace("gitea").withName("gitea-1").delete(), 2, TimeUnit.SECONDS);

    KubeScaleResult result =
        activities.scale(new KubeScaleInput("Deployment", "gitea", "gitea", 0, "PT20S", "req-1"));

    assertThat(result.previousReplicas()).isEqualTo(1);
    assertThat(beats)
        .extracting(ScaleHeartbeat::waitingFor)
        .anyMatch(w -> w.contains("1 pod(s) matching app=gitea to go away"));
  }

  @Test
  void scaleUpWaitsUntilReadyAndUpdated() {
    client
        .apps()
        .statefulSets()
        .inNamespace("gitea")
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName("gitea")
                .withNamespace("gitea")
                .endMetadata()
                .withNewSpec()
                .withReplicas(0)
                .withNewSelector()
                .addToMatchLabels("app", "gitea")
                .endSelector()
                .endSpec()
                .build())
        .create();
    List<ScaleHeartbeat> beats = new CopyOnWriteArrayList<>();
    env.setActivityHeartbeatListener(ScaleHeartbeat.class, beats::add);
    background.schedule(
        () -> {
          var sts = client.apps().statefulSets().inNamespace("gitea").withName("gitea").get();
          sts.setStatus(
              new StatefulSetStatusBuilder()
                  .withReplicas(2)
                  .withReadyReplicas(2)
                  .withUpdatedReplicas(2)
                  .withObservedGeneration(sts.getMetadata().getGeneration())
                  .build());
          client.apps().statefulSets().inNamespace("gitea").resource(sts).updateStatus();
        },
        2,
        TimeUnit.SECONDS);

    KubeScaleResult result =
        activities.scale(new KubeScaleInput("StatefulSet", "gitea", "gitea", 2, "PT20S", "req-1"));

    assertThat(result.previousReplicas()).isZero();
    assertThat(result.readyReplicas()).isEqualTo(2);
    assertThat(beats)
        .extracting(ScaleHeartbeat::waitingFor)
        .anyMatch(w -> w.contains("readyReplicas 0/2, updatedReplicas 0/2"));
    assertThat(
            client
                .apps()
                .statefulSets()
                .inNamespace("gitea")
                .withName("gitea")
                .get()
                .getSpec()
                .getReplicas())
        .isEqualTo(2);
  }

  @Test
  void scaleTimesOutRetryablyWithWhatItWaitsFor() {
    createDeployment(2, 2, 2);
    controller(2, 2, 2);

    ApplicationFailure failure =
        failureOf(
            () ->
                activities.scale(
                    new KubeScaleInput("Deployment", "gitea", "gitea", 0, "PT0.3S", "req-1")));

    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getType()).isEqualTo("Transient");
    assertThat(failure.getOriginalMessage())
        .contains("Deployment gitea/gitea", "after PT0.3S", "status.replicas 2 to reach 0");
  }

  @Test
  void scalingToTheCurrentReplicasIsSuccessWithoutAChange() {
    createDeployment(1, 1, 1);
    String version = deployment().getMetadata().getResourceVersion();

    KubeScaleResult result =
        activities.scale(new KubeScaleInput("Deployment", "gitea", "gitea", 1, null, "req-1"));

    assertThat(result.changed()).isFalse();
    assertThat(result.previousReplicas()).isEqualTo(1);
    assertThat(deployment().getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void aRetryReportsTheReplicasFromBeforeTheFirstAttempt() {
    // The first attempt scaled 3 -> 0 and died before returning; its heartbeat survived.
    createDeployment(0, 0, 0);
    env.setHeartbeatDetails(new ScaleHeartbeat("req-1", 3, "status.replicas 3 to reach 0"));

    KubeScaleResult result =
        activities.scale(new KubeScaleInput("Deployment", "gitea", "gitea", 0, null, "req-1"));

    assertThat(result.previousReplicas()).isEqualTo(3);
    assertThat(result.changed()).isFalse();
  }

  @Test
  void heartbeatsOfAnotherRequestAreIgnored() {
    createDeployment(0, 0, 0);
    env.setHeartbeatDetails(new ScaleHeartbeat("other", 3, "…"));

    KubeScaleResult result =
        activities.scale(new KubeScaleInput("Deployment", "gitea", "gitea", 0, null, "req-1"));

    assertThat(result.previousReplicas()).isZero();
  }

  @Test
  void cancellationStopsTheWait() {
    createDeployment(2, 2, 2);
    env.setActivityHeartbeatListener(
        ScaleHeartbeat.class,
        beat -> {
          if (!beat.waitingFor().startsWith("setting replicas")) {
            env.requestCancelActivity();
          }
        });
    long start = System.nanoTime();

    Throwable thrown =
        catchThrowable(
            () ->
                activities.scale(
                    new KubeScaleInput("Deployment", "gitea", "gitea", 0, "PT1M", "req-1")));

    assertThat(thrown).isInstanceOf(CanceledFailure.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void scaleOfAMissingWorkloadIsPreconditionFailed() {
    ApplicationFailure failure =
        failureOf(
            () ->
                activities.scale(
                    new KubeScaleInput("Deployment", "gitea", "nope", 0, null, "req-1")));

    assertThat(failure.getType()).isEqualTo("PreconditionFailed");
    assertThat(failure.getOriginalMessage()).contains("Deployment gitea/nope not found");
  }

  @Test
  void scaleRefusesAnUnknownKind() {
    ApplicationFailure failure =
        failureOf(
            () ->
                activities.scale(
                    new KubeScaleInput("ReplicaSet", "gitea", "gitea", 0, null, "req-1")));

    assertThat(failure.getType()).isEqualTo("InvalidInput");
    assertThat(failure.getOriginalMessage()).contains("ReplicaSet");
  }

  @Test
  void undoInputScalesBackToThePreviousReplicas() {
    KubeScaleInput input = new KubeScaleInput("Deployment", "gitea", "gitea", 0, "PT1M", "req-1");
    KubeScaleResult result = new KubeScaleResult("Deployment", "gitea", "gitea", 2, 0, true, 0, 10);

    KubeScaleInput undo = input.undo(result, "req-2");

    assertThat(undo.replicas()).isEqualTo(2);
    assertThat(undo.requestId()).isEqualTo("req-2");
  }

  // ---------------------------------------------------------------- deployment status

  @Test
  void deploymentStatusReportsReplicasAndImages() {
    createDeployment(2, 2, 1);

    KubeDeploymentStatus status =
        activities.deploymentStatus(new KubeDeploymentStatusInput(null, "gitea", "gitea"));

    assertThat(status.kind()).isEqualTo("Deployment");
    assertThat(status.replicas()).isEqualTo(2);
    assertThat(status.readyReplicas()).isEqualTo(1);
    assertThat(status.images()).containsExactly("gitea/gitea:1.22", "busybox:1.36");
    assertThat(status.selector()).isEqualTo("app=gitea");
  }

  // ---------------------------------------------------------------- merge patch

  @Test
  void configMapPatchReturnsAnUndoThatRestoresItExactly() throws Exception {
    client
        .configMaps()
        .inNamespace("gitea")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("gitea-config")
                .withNamespace("gitea")
                .addToLabels("app", "gitea")
                .endMetadata()
                .addToData("DB_HOST", "old-db:5432")
                .addToData("DB_NAME", "gitea")
                .addToData("KEEP", "me")
                .build())
        .create();
    Map<String, String> before = configMap().getData();
    KubePatchInput input =
        patch(
            "v1",
            "ConfigMap",
            "gitea-config",
            "{\"data\":{\"DB_HOST\":\"gitea-db-rw.databases.svc:5432\","
                + "\"DB_SSLMODE\":\"require\",\"DB_NAME\":null},"
                + "\"metadata\":{\"labels\":{\"switched\":\"yes\"}}}");

    KubePatchResult result = activities.mergePatch(input);

    assertThat(result.changed()).isTrue();
    assertThat(result.backupSecret()).isNull();
    assertThat(result.touchedPaths())
        .containsExactlyInAnyOrder(
            "/data/DB_HOST", "/data/DB_SSLMODE", "/data/DB_NAME", "/metadata/labels/switched");
    assertThat(result.undoPatch())
        .isEqualTo(
            JSON.readTree(
                "{\"data\":{\"DB_HOST\":\"old-db:5432\",\"DB_SSLMODE\":null,\"DB_NAME\":\"gitea\"},"
                    + "\"metadata\":{\"labels\":{\"switched\":null}}}"));
    assertThat(present(configMap().getData()))
        .containsEntry("DB_HOST", "gitea-db-rw.databases.svc:5432")
        .containsEntry("DB_SSLMODE", "require")
        .doesNotContainKey("DB_NAME");

    KubePatchResult undone = activities.mergePatch(input.undo(result, "req-2"));

    assertThat(undone.changed()).isTrue();
    assertThat(present(configMap().getData())).isEqualTo(before);
    assertThat(present(configMap().getMetadata().getLabels())).isEqualTo(Map.of("app", "gitea"));
  }

  @Test
  void aPatchAlreadyInEffectChangesNothing() {
    client
        .configMaps()
        .inNamespace("gitea")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("gitea-config")
                .withNamespace("gitea")
                .endMetadata()
                .addToData("DB_HOST", "new")
                .build())
        .create();
    String version = configMap().getMetadata().getResourceVersion();

    KubePatchResult result =
        activities.mergePatch(
            patch("v1", "ConfigMap", "gitea-config", "{\"data\":{\"DB_HOST\":\"new\"}}"));

    assertThat(result.changed()).isFalse();
    assertThat(configMap().getMetadata().getResourceVersion()).isEqualTo(version);
  }

  @Test
  void aRetriedPatchReturnsTheUndoOfItsFirstAttempt() throws Exception {
    // The first attempt patched DB_HOST old -> new and died; its heartbeat holds the undo.
    client
        .configMaps()
        .inNamespace("gitea")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("gitea-config")
                .withNamespace("gitea")
                .endMetadata()
                .addToData("DB_HOST", "new")
                .build())
        .create();
    JsonNode firstUndo = JSON.readTree("{\"data\":{\"DB_HOST\":\"old\"}}");
    env.setHeartbeatDetails(new PatchHeartbeat("req-1", firstUndo));

    KubePatchResult result =
        activities.mergePatch(
            patch("v1", "ConfigMap", "gitea-config", "{\"data\":{\"DB_HOST\":\"new\"}}"));

    assertThat(result.undoPatch()).isEqualTo(firstUndo);
  }

  @Test
  void deploymentAndCustomResourcePatchesUndoExactly() throws Exception {
    createDeployment(1, 1, 1);
    createCluster(3, "Cluster in healthy state", 3);
    KubePatchInput deploymentPatch =
        patch(
            "apps/v1",
            "Deployment",
            "gitea",
            "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"signalbox.io/db\":\"new\"}}}}}");
    KubePatchInput clusterPatch =
        new KubePatchInput(
            "postgresql.cnpg.io/v1",
            "Cluster",
            "clusters",
            "databases",
            "gitea-db",
            JSON.readTree("{\"spec\":{\"instances\":1}}"),
            null,
            "req-1");

    KubePatchResult d = activities.mergePatch(deploymentPatch);
    KubePatchResult c = activities.mergePatch(clusterPatch);

    assertThat(deployment().getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("signalbox.io/db", "new");
    assertThat(cluster().at("/spec/instances").asInt()).isEqualTo(1);
    assertThat(c.undoPatch()).isEqualTo(JSON.readTree("{\"spec\":{\"instances\":3}}"));

    activities.mergePatch(deploymentPatch.undo(d, "req-2"));
    activities.mergePatch(clusterPatch.undo(c, "req-2"));

    var annotations = deployment().getSpec().getTemplate().getMetadata().getAnnotations();
    assertThat(annotations == null ? Map.of() : annotations).doesNotContainKey("signalbox.io/db");
    assertThat(cluster().at("/spec/instances").asInt()).isEqualTo(3);
  }

  @Test
  void secretPatchKeepsValuesOutOfTheResultAndItsUndoRestoresThem() throws Exception {
    createSecret(Map.of("host", "old-db.gitea.svc", "password", "s3cret-pw-value"));
    Map<String, String> before = secret("gitea-db").getData();
    KubePatchInput input =
        patch(
            "v1",
            "Secret",
            "gitea-db",
            "{\"stringData\":{\"host\":\"gitea-db-rw.databases.svc\",\"sslmode\":\"require\"}}");

    KubePatchResult result = activities.mergePatch(input);

    String resultJson = JSON.writeValueAsString(result);
    for (String value :
        List.of("old-db.gitea.svc", "s3cret-pw-value", "gitea-db-rw.databases.svc", "require")) {
      assertThat(resultJson).doesNotContain(value, b64(value));
      assertThat(logs.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .noneMatch(m -> m.contains(value) || m.contains(b64(value)));
    }
    assertThat(result.undoPatch() == null || result.undoPatch().isNull()).isTrue();
    assertThat(result.changed()).isTrue();
    assertThat(result.touchedPaths()).containsExactlyInAnyOrder("/data/host", "/data/sslmode");
    assertThat(result.backupSecret())
        .isEqualTo(KubePatchInput.backupName("gitea-db", "req-1"))
        .isEqualTo("gitea-db-signalbox-backup-req-1");
    assertThat(secret("gitea-db").getData())
        .containsEntry("host", b64("gitea-db-rw.databases.svc"))
        .containsEntry("sslmode", b64("require"))
        .containsEntry("password", b64("s3cret-pw-value"));
    Secret backup = secret(result.backupSecret());
    assertThat(backup.getMetadata().getAnnotations())
        .containsEntry(KubernetesActivitiesImpl.BACKUP_OF, "gitea-db");
    assertThat(backup.getMetadata().getLabels()).containsEntry("signalbox.io/backup", "true");

    KubePatchResult undone = activities.mergePatch(input.undo(result, "req-2"));

    assertThat(undone.changed()).isTrue();
    assertThat(present(secret("gitea-db").getData())).isEqualTo(before);
    assertThat(JSON.writeValueAsString(undone)).doesNotContain(b64("old-db.gitea.svc"));
  }

  @Test
  void aRetriedSecretPatchKeepsTheBackupOfItsFirstAttempt() {
    createSecret(Map.of("host", "old-db.gitea.svc"));
    Map<String, String> before = secret("gitea-db").getData();
    KubePatchInput input =
        patch("v1", "Secret", "gitea-db", "{\"stringData\":{\"host\":\"new-db\"}}");

    KubePatchResult first = activities.mergePatch(input);
    // Same request again, as a retry after the first attempt's result was lost.
    KubePatchResult retry = activities.mergePatch(input);

    assertThat(first.changed()).isTrue();
    assertThat(retry.changed()).isFalse();
    assertThat(retry.backupSecret()).isEqualTo(first.backupSecret());
    activities.mergePatch(input.undo(retry, "req-2"));
    assertThat(present(secret("gitea-db").getData())).isEqualTo(before);
  }

  @Test
  void restoreFromABackupThatWasNeverWrittenChangesNothing() {
    createSecret(Map.of("host", "old-db.gitea.svc"));
    KubePatchInput undo =
        new KubePatchInput(
            "v1",
            "Secret",
            null,
            "gitea",
            "gitea-db",
            null,
            KubePatchInput.backupName("gitea-db", "never-ran"),
            "req-2");

    KubePatchResult result = activities.mergePatch(undo);

    assertThat(result.changed()).isFalse();
    assertThat(secret("gitea-db").getData()).containsEntry("host", b64("old-db.gitea.svc"));
  }

  @Test
  void restoreRefusesASecretThatIsNotABackupOfTheTarget() {
    createSecret(Map.of("host", "old-db.gitea.svc"));
    client
        .secrets()
        .inNamespace("gitea")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("something-else")
                .withNamespace("gitea")
                .endMetadata()
                .addToData(KubernetesActivitiesImpl.BACKUP_KEY, b64("{}"))
                .build())
        .create();

    ApplicationFailure failure =
        failureOf(
            () ->
                activities.mergePatch(
                    new KubePatchInput(
                        "v1", "Secret", null, "gitea", "gitea-db", null, "something-else", "r")));

    assertThat(failure.getType()).isEqualTo("PreconditionFailed");
    assertThat(failure.getOriginalMessage()).contains("not a Signalbox backup");
  }

  @Test
  void patchOfAMissingResourceIsPreconditionFailedNamingIt() {
    ApplicationFailure failure =
        failureOf(() -> activities.mergePatch(patch("v1", "ConfigMap", "nope", "{\"data\":{}}")));

    assertThat(failure.getType()).isEqualTo("PreconditionFailed");
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("ConfigMap gitea/nope not found");
  }

  @Test
  void patchThatRenamesTheResourceIsRefused() {
    createSecret(Map.of("host", "x"));

    ApplicationFailure failure =
        failureOf(
            () ->
                activities.mergePatch(
                    patch("v1", "Secret", "gitea-db", "{\"metadata\":{\"name\":\"other\"}}")));

    assertThat(failure.getType()).isEqualTo("InvalidInput");
    assertThat(failure.getOriginalMessage()).contains("metadata.name");
  }

  @Test
  void undoPatchRestoresTheDocumentExactlyPerRfc7386() throws Exception {
    JsonNode before =
        JSON.readTree(
            "{\"data\":{\"a\":\"1\",\"b\":\"2\"},\"spec\":{\"list\":[1,2],\"n\":{\"x\":1}}}");
    JsonNode patch =
        JSON.readTree(
            "{\"data\":{\"a\":\"9\",\"b\":null,\"c\":\"3\"},"
                + "\"spec\":{\"list\":[3],\"n\":5,\"new\":{\"deep\":true}}}");

    JsonNode after = JsonMergePatch.apply(before, patch);
    JsonNode undo = JsonMergePatch.undo(patch, before);

    assertThat(after).isNotEqualTo(before);
    assertThat(JsonMergePatch.apply(after, undo)).isEqualTo(before);
    assertThat(undo.at("/data/c").isNull()).isTrue();
    assertThat(undo.at("/spec/n")).isEqualTo(JSON.readTree("{\"x\":1}"));
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The entries with a value. The mock server stores a merge patch's {@code null} as a null value
   * where the API server removes the field (RFC 7386), so comparisons drop them.
   */
  private static Map<String, String> present(Map<String, String> map) {
    Map<String, String> present = new java.util.TreeMap<>();
    if (map != null) {
      map.forEach(
          (k, v) -> {
            if (v != null) {
              present.put(k, v);
            }
          });
    }
    return present;
  }

  private static ApplicationFailure failureOf(Runnable call) {
    Throwable thrown = catchThrowable(call::run);
    assertThat(thrown).isInstanceOf(ActivityFailure.class);
    assertThat(thrown.getCause()).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) thrown.getCause();
  }

  private static KubePatchInput patch(String apiVersion, String kind, String name, String json) {
    try {
      return new KubePatchInput(
          apiVersion, kind, null, "gitea", name, JSON.readTree(json), null, "req-1");
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private void createCluster(int instances, String phase, int ready) {
    client
        .genericKubernetesResources(KubernetesActivitiesImpl.CNPG_CLUSTER)
        .inNamespace("databases")
        .resource(cnpgCluster(instances, phase, ready))
        .create();
  }

  private JsonNode cluster() throws Exception {
    return JSON.readTree(
        client
            .getKubernetesSerialization()
            .asJson(
                client
                    .genericKubernetesResources(KubernetesActivitiesImpl.CNPG_CLUSTER)
                    .inNamespace("databases")
                    .withName("gitea-db")
                    .get()));
  }

  private void createDeployment(int replicas, int statusReplicas, int ready) {
    client
        .apps()
        .deployments()
        .inNamespace("gitea")
        .resource(giteaDeployment(replicas, "gitea/gitea:1.22", "busybox:1.36"))
        .create();
    setDeploymentStatus(statusReplicas, ready, ready);
  }

  /**
   * Plays the Deployment controller the mock does not run: from now on, every 50 ms, it observes
   * the current generation and reports these numbers. A later call changes the numbers.
   */
  private void controller(int replicas, int ready, int updated) {
    reported = new int[] {replicas, ready, updated};
    if (!controllerRunning) {
      controllerRunning = true;
      background.scheduleWithFixedDelay(
          () -> setDeploymentStatus(reported[0], reported[1], reported[2]),
          0,
          50,
          TimeUnit.MILLISECONDS);
    }
  }

  private void setDeploymentStatus(int replicas, int ready, int updated) {
    Deployment d = deployment();
    d.setStatus(
        new DeploymentStatusBuilder()
            .withReplicas(replicas)
            .withReadyReplicas(ready)
            .withUpdatedReplicas(updated)
            .withObservedGeneration(d.getMetadata().getGeneration())
            .build());
    client.apps().deployments().inNamespace("gitea").resource(d).updateStatus();
  }

  private Deployment deployment() {
    return client.apps().deployments().inNamespace("gitea").withName("gitea").get();
  }

  private void createPod(String name) {
    client
        .pods()
        .inNamespace("gitea")
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("gitea")
                .addToLabels("app", "gitea")
                .endMetadata()
                .build())
        .create();
    // A pod of another app must not hold up the wait.
    if (client.pods().inNamespace("gitea").withName("other").get() == null) {
      client
          .pods()
          .inNamespace("gitea")
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withName("other")
                  .withNamespace("gitea")
                  .addToLabels("app", "other")
                  .endMetadata()
                  .build())
          .create();
    }
  }

  private ConfigMap configMap() {
    return client.configMaps().inNamespace("gitea").withName("gitea-config").get();
  }

  private void createSecret(Map<String, String> values) {
    SecretBuilder builder =
        new SecretBuilder()
            .withNewMetadata()
            .withName("gitea-db")
            .withNamespace("gitea")
            .endMetadata()
            .withType("Opaque");
    values.forEach((k, v) -> builder.addToData(k, b64(v)));
    client.secrets().inNamespace("gitea").resource(builder.build()).create();
  }

  private Secret secret(String name) {
    return client.secrets().inNamespace("gitea").withName(name).get();
  }
}
