package io.signalbox.testing;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Deployment controller fabric8's mock server does not run, for one Deployment: every 50 ms its
 * status follows its spec (replicas ready, generation observed), so a scale waits as on a cluster.
 * Close it after the test.
 */
public final class DeploymentController implements AutoCloseable {
  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();

  private DeploymentController(KubernetesClient client, String namespace, String name) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
  }

  /** Starts playing the controller of Deployment {@code namespace/name}. */
  public static DeploymentController start(KubernetesClient client, String namespace, String name) {
    DeploymentController c = new DeploymentController(client, namespace, name);
    c.executor.scheduleWithFixedDelay(c::play, 0, 50, TimeUnit.MILLISECONDS);
    return c;
  }

  /** The Deployment as the API server has it now, or null. */
  public Deployment deployment() {
    return client.apps().deployments().inNamespace(namespace).withName(name).get();
  }

  private void play() {
    try {
      Deployment d = deployment();
      if (d == null) {
        return;
      }
      int want = d.getSpec().getReplicas();
      if (d.getStatus() == null
          || d.getStatus().getReplicas() == null
          || d.getStatus().getReplicas() != want
          || !d.getMetadata().getGeneration().equals(d.getStatus().getObservedGeneration())) {
        d.setStatus(
            new DeploymentStatusBuilder()
                .withReplicas(want)
                .withReadyReplicas(want)
                .withUpdatedReplicas(want)
                .withAvailableReplicas(want)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .build());
        client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
      }
    } catch (RuntimeException e) {
      // a concurrent update: the next tick tries again
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
