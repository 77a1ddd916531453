package io.signalbox.testing;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of the platform the runbooks work on, for fabric8's mock API server:
 * Gitea's Deployment, Secrets, and the CloudNativePG {@code Cluster} {@code databases/gitea-db}.
 */
public final class GiteaClusterFixtures {
  private GiteaClusterFixtures() {}

  /** The CloudNativePG {@code Cluster} resource, for the generic resource API. */
  public static final ResourceDefinitionContext CNPG_CLUSTER =
      new ResourceDefinitionContext.Builder()
          .withGroup("postgresql.cnpg.io")
          .withVersion("v1")
          .withKind("Cluster")
          .withPlural("clusters")
          .withNamespaced(true)
          .build();

  /** Base64, as Secret data holds values. */
  public static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The CloudNativePG cluster {@code databases/gitea-db}.
   *
   * @param phase its {@code status.phase}, or null for a cluster without status
   * @param ready its {@code status.readyInstances}
   */
  public static GenericKubernetesResource cnpgCluster(int instances, String phase, int ready) {
    GenericKubernetesResourceBuilder cluster =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("postgresql.cnpg.io/v1")
            .withKind("Cluster")
            .withNewMetadata()
            .withName("gitea-db")
            .withNamespace("databases")
            .endMetadata()
            .addToAdditionalProperties("spec", Map.of("instances", instances));
    if (phase != null) {
      cluster.addToAdditionalProperties(
          "status",
          Map.of("phase", phase, "readyInstances", ready, "currentPrimary", "gitea-db-1"));
    }
    return cluster.build();
  }

  /**
   * Gitea's Deployment {@code gitea/gitea}, selecting {@code app=gitea}, with one container per
   * image (the first named {@code gitea}, the others {@code sidecar}, {@code sidecar-2}, …); no
   * image: no pod template.
   */
  public static Deployment giteaDeployment(int replicas, String... images) {
    List<io.fabric8.kubernetes.api.model.Container> containers = new ArrayList<>();
    for (int i = 0; i < images.length; i++) {
      containers.add(
          new ContainerBuilder()
              .withName(i == 0 ? "gitea" : i == 1 ? "sidecar" : "sidecar-" + i)
              .withImage(images[i])
              .build());
    }
    DeploymentBuilder d =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("gitea")
            .withNamespace("gitea")
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .withNewSelector()
            .addToMatchLabels("app", "gitea")
            .endSelector()
            .endSpec();
    if (!containers.isEmpty()) {
      d.editSpec()
          .withNewTemplate()
          .withNewMetadata()
          .addToLabels("app", "gitea")
          .endMetadata()
          .withNewSpec()
          .withContainers(containers)
          .endSpec()
          .endTemplate()
          .endSpec();
    }
    return d.build();
  }

  /** A Secret whose data holds these values (base64-encoded here). */
  public static Secret secret(String namespace, String name, Map<String, String> values) {
    Map<String, String> data = new LinkedHashMap<>();
    values.forEach((k, v) -> data.put(k, b64(v)));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withData(data)
        .build();
  }
}
