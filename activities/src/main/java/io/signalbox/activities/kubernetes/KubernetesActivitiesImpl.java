package io.signalbox.activities.kubernetes;

import static io.signalbox.activities.kubernetes.KubeApi.call;
import static io.signalbox.activities.kubernetes.KubeInputs.required;
import static io.signalbox.activities.kubernetes.KubeInputs.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.KubernetesActivities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KubernetesActivities} on a fabric8 {@link KubernetesClient}.
 *
 * <p>Retries: exactly one layer retries, Temporal. The worker builds the client with fabric8's own
 * request retries low ({@code requestRetryBackoffLimit} 0 or 1) and request timeouts well below the
 * activities' start-to-close timeouts; an API error that may pass (5xx, conflict, no connection)
 * fails the attempt retryably and Temporal's retry policy decides. Waits ({@code scale}) are
 * bounded by the input's timeout, which the workflow keeps below the start-to-close timeout.
 *
 * <p>Idempotency across attempts: before it changes anything, {@code scale} heartbeats the replicas
 * it found and {@code mergePatch} the undo patch it computed (the first heartbeat of an attempt is
 * sent at once); a later attempt of the same activity reads them back from the heartbeat details,
 * so an attempt that dies after its change still reports the state from before the first attempt. A
 * Secret's undo holds secret values and never goes into a heartbeat: it is written to a backup
 * Secret named after the request id, created only if it does not exist yet, before the Secret is
 * patched.
 *
 * <p>RBAC: what each call needs is listed in {@code deploy/kubernetes/README.md}.
 *
 * <p>The work is split by concern: {@link WorkloadScaler} (status and scaling of Deployments and
 * StatefulSets), {@link MergePatcher} with {@link SecretBackups} (merge patches and their undo),
 * {@link KubeApi} (API calls with their error mapping, JSON) and {@link KubeInputs} (input checks).
 */
public class KubernetesActivitiesImpl implements KubernetesActivities {
  private static final Logger log = LoggerFactory.getLogger(KubernetesActivitiesImpl.class);

  static final Duration DEFAULT_SCALE_TIMEOUT = WorkloadScaler.DEFAULT_SCALE_TIMEOUT;
  private static final Duration POLL_EVERY = Duration.ofSeconds(2);

  /** The key of a backup Secret that holds the undo patch. */
  static final String BACKUP_KEY = SecretBackups.BACKUP_KEY;

  static final String BACKUP_OF = SecretBackups.BACKUP_OF;
  static final String BACKUP_REQUEST = SecretBackups.BACKUP_REQUEST;
  static final String MANAGED_BY = SecretBackups.MANAGED_BY;

  static final ResourceDefinitionContext CNPG_CLUSTER =
      new ResourceDefinitionContext.Builder()
          .withGroup("postgresql.cnpg.io")
          .withVersion("v1")
          .withKind("Cluster")
          .withPlural("clusters")
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;
  private final KubeApi api;
  private final WorkloadScaler scaler;
  private final MergePatcher patcher;

  /**
   * @param client the worker's one client; build its config with a small {@code
   *     requestRetryBackoffLimit}, since Temporal does the retrying
   */
  public KubernetesActivitiesImpl(KubernetesClient client) {
    this(client, POLL_EVERY);
  }

  KubernetesActivitiesImpl(KubernetesClient client, Duration pollEvery) {
    this.client = client;
    this.api = new KubeApi(client);
    this.scaler = new WorkloadScaler(client, pollEvery);
    this.patcher = new MergePatcher(api);
  }

  /**
   * What {@code scale} heartbeats: the replicas to restore (read back by a later attempt) and what
   * it waits for (for the operator in the UI).
   *
   * @param requestId the scale's request id
   * @param previousReplicas the replicas before the first attempt
   * @param waitingFor what the wait waits for now
   */
  public record ScaleHeartbeat(String requestId, int previousReplicas, String waitingFor) {}

  /**
   * What {@code mergePatch} heartbeats for kinds other than Secret, before it patches.
   *
   * @param requestId the patch's request id
   * @param undoPatch the undo computed by the first attempt
   */
  public record PatchHeartbeat(String requestId, JsonNode undoPatch) {}

  // ---------------------------------------------------------------- cluster health

  @Override
  public KubeClusterHealth clusterHealth(KubeClusterHealthInput input) {
    if (input == null) {
      throw FailureType.INVALID_INPUT.failure("clusterHealth: no input");
    }
    String namespace = required("namespace", input.namespace());
    String name = required("name", input.name());
    String what = "CloudNativePG Cluster " + namespace + "/" + name;
    GenericKubernetesResource cluster =
        call(
            what,
            "get",
            false,
            () ->
                client
                    .genericKubernetesResources(CNPG_CLUSTER)
                    .inNamespace(namespace)
                    .withName(name)
                    .get());
    if (cluster == null) {
      throw FailureType.PRECONDITION_FAILED.failure(
          what + " not found (is it created, and is CloudNativePG installed?)");
    }
    JsonNode tree = api.tree(cluster);
    String phase = text(tree.at("/status/phase"));
    int instances = tree.at("/spec/instances").asInt(0);
    int ready = tree.at("/status/readyInstances").asInt(0);
    String primary = text(tree.at("/status/currentPrimary"));
    List<String> problems = new ArrayList<>();
    if (!KubeClusterHealth.HEALTHY_PHASE.equals(phase)) {
      problems.add(
          "phase is "
              + (phase == null ? "not reported" : "'" + phase + "'")
              + " (want '"
              + KubeClusterHealth.HEALTHY_PHASE
              + "')");
    }
    if (instances <= 0) {
      problems.add("spec.instances is " + instances);
    } else if (ready < instances) {
      problems.add(ready + "/" + instances + " instances ready");
    }
    boolean healthy = problems.isEmpty();
    String reason =
        healthy
            ? phase + ", " + ready + "/" + instances + " instances ready, primary " + primary
            : what + " is not healthy: " + String.join("; ", problems);
    log.info("{}: healthy={} ({})", what, healthy, reason);
    return new KubeClusterHealth(
        namespace, name, phase, instances, ready, primary, healthy, reason);
  }

  @Override
  public KubeDeploymentStatus deploymentStatus(KubeDeploymentStatusInput input) {
    return scaler.deploymentStatus(input);
  }

  @Override
  public KubeScaleResult scale(KubeScaleInput input) {
    return scaler.scale(input);
  }

  @Override
  public KubePatchResult mergePatch(KubePatchInput input) {
    return patcher.mergePatch(input);
  }
}
