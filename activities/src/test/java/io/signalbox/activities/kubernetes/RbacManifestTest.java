package io.signalbox.activities.kubernetes;

import static io.signalbox.testing.GiteaClusterFixtures.b64;
import static io.signalbox.testing.GiteaClusterFixtures.cnpgCluster;
import static io.signalbox.testing.GiteaClusterFixtures.giteaDeployment;
import static io.signalbox.testing.GiteaClusterFixtures.secret;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.workflows.core.KubernetesActivities;
import io.signalbox.workflows.core.KubernetesActivities.KubeClusterHealthInput;
import io.signalbox.workflows.core.KubernetesActivities.KubeDeploymentStatusInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchResult;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleInput;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The manifests in {@code deploy/kubernetes/} grant the worker exactly what its code calls: every
 * activity (and a Secret reference) is run against the mock API server, each recorded request is
 * turned into the RBAC verb and resource it needs, and the namespaced Roles must grant that set and
 * nothing else, with no wildcard.
 */
@EnableKubernetesMockClient(crud = true)
class RbacManifestTest {
  private static final Path DIR = Path.of("..", "deploy", "kubernetes");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CORE =
      Pattern.compile("/api/v1/namespaces/([^/]+)/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?");
  private static final Pattern GROUP =
      Pattern.compile(
          "/apis/([^/]+)/[^/]+/namespaces/([^/]+)/([^/?]+)(?:/([^/?]+))?(?:/([^/?]+))?");

  KubernetesClient client;
  KubernetesMockServer server;

  private TestActivityEnvironment env;
  private KubernetesActivities activities;

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
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  @Test
  void rolesGrantExactlyWhatTheCodeCalls() throws Exception {
    Map<String, Set<String>> needed = exerciseEveryCall();
    Map<String, Set<String>> granted = new TreeMap<>();
    for (Role role : roles()) {
      for (PolicyRule rule : role.getRules()) {
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            for (String verb : rule.getVerbs()) {
              granted
                  .computeIfAbsent(role.getMetadata().getNamespace(), ns -> new TreeSet<>())
                  .add(permission(group, resource, verb));
            }
          }
        }
      }
    }

    assertThat(needed)
        .as("what the activities called")
        .containsEntry(
            "gitea",
            Set.of(
                "apps/deployments:get",
                "apps/deployments:patch",
                "apps/statefulsets:get",
                "apps/statefulsets:patch",
                "pods:list",
                "secrets:get",
                "secrets:create",
                "secrets:patch",
                "configmaps:get",
                "configmaps:patch"))
        .containsEntry("databases", Set.of("postgresql.cnpg.io/clusters:get", "secrets:get"));
    assertThat(granted).as("what role.yaml grants").isEqualTo(needed);
  }

  @Test
  void rolesHaveNoWildcardAndNoClusterScope() throws IOException {
    List<HasMetadata> objects = new ArrayList<>();
    for (String file :
        List.of("role.yaml", "rolebinding.yaml", "serviceaccount.yaml", "deployment.yaml")) {
      objects.addAll(load(file));
    }

    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .doesNotContain("ClusterRole", "ClusterRoleBinding");
    for (Role role : roles()) {
      assertThat(role.getMetadata().getNamespace()).isIn("gitea", "databases");
      for (PolicyRule rule : role.getRules()) {
        assertThat(rule.getApiGroups()).doesNotContain("*");
        assertThat(rule.getResources()).isNotEmpty().noneMatch(r -> r.contains("*"));
        assertThat(rule.getVerbs())
            .isNotEmpty()
            .doesNotContain("*", "delete", "deletecollection", "escalate", "bind", "impersonate");
        assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
      }
    }
  }

  @Test
  void eachRoleIsBoundToTheWorkersServiceAccount() throws IOException {
    ServiceAccount account = (ServiceAccount) load("serviceaccount.yaml").get(0);
    List<RoleBinding> bindings =
        load("rolebinding.yaml").stream().map(RoleBinding.class::cast).toList();

    for (Role role : roles()) {
      assertThat(bindings)
          .as(
              "a binding of Role %s/%s",
              role.getMetadata().getNamespace(), role.getMetadata().getName())
          .anySatisfy(
              b -> {
                assertThat(b.getMetadata().getNamespace())
                    .isEqualTo(role.getMetadata().getNamespace());
                assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
                assertThat(b.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
                assertThat(b.getSubjects())
                    .singleElement()
                    .satisfies(
                        s -> {
                          assertThat(s.getKind()).isEqualTo("ServiceAccount");
                          assertThat(s.getName()).isEqualTo(account.getMetadata().getName());
                          assertThat(s.getNamespace())
                              .isEqualTo(account.getMetadata().getNamespace());
                        });
              });
    }
    assertThat(bindings).hasSameSizeAs(roles());
  }

  @Test
  void workerDeploymentRunsAsTheServiceAccountWithADumpVolume() throws IOException {
    ServiceAccount account = (ServiceAccount) load("serviceaccount.yaml").get(0);
    Deployment deployment =
        load("deployment.yaml").stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    Container worker = pod.getContainers().get(0);
    Map<String, EnvVar> env =
        worker.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));

    assertThat(deployment.getMetadata().getNamespace())
        .isEqualTo(account.getMetadata().getNamespace());
    assertThat(pod.getServiceAccountName()).isEqualTo(account.getMetadata().getName());
    assertThat(worker.getImage()).startsWith("signalbox-worker");
    assertThat(env).containsKey("TEMPORAL_ADDRESS");
    assertThat(worker.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(worker.getResources().getLimits()).containsKey("memory");
    String dumpDir = env.get("SIGNALBOX_DUMP_DIR").getValue();
    assertThat(worker.getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo(dumpDir);
              assertThat(pod.getVolumes())
                  .anySatisfy(
                      v -> {
                        assertThat(v.getName()).isEqualTo(m.getName());
                        assertThat(v.getPersistentVolumeClaim()).isNotNull();
                      });
            });
  }

  @Test
  void workerKeepsItsHostTaskQueueAcrossPodRestarts() throws IOException {
    Deployment deployment =
        load("deployment.yaml").stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    Container worker = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, EnvVar> env =
        worker.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));

    // Restore and verify go to the queue of the worker that wrote the dump. The default,
    // signalbox-$HOSTNAME, is the pod's name and changes when the pod is recreated (issue 7): the
    // queue is a fixed value here, not the pod name.
    EnvVar queue = env.get("SIGNALBOX_HOST_TASK_QUEUE");
    assertThat(queue).as("SIGNALBOX_HOST_TASK_QUEUE is set").isNotNull();
    assertThat(queue.getValueFrom()).as("not taken from the pod").isNull();
    assertThat(queue.getValue()).isNotBlank().doesNotContain("$").isNotEqualTo("signalbox");
    // A fixed name is right only while one pod at a time holds the dump volume.
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
    assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("Recreate");
    assertThat(env).doesNotContainKey("SIGNALBOX_SHARED_DUMP_DIR");
  }

  /**
   * Runs every call the worker makes to Kubernetes and returns, per namespace, the permissions
   * ({@code group/resource:verb}) the recorded requests need.
   */
  private Map<String, Set<String>> exerciseEveryCall() throws Exception {
    givenTheClusterOfTheGiteaMigration();
    drainRequests();

    activities.clusterHealth(new KubeClusterHealthInput("databases", "gitea-db"));
    activities.deploymentStatus(new KubeDeploymentStatusInput("Deployment", "gitea", "gitea"));
    activities.scale(new KubeScaleInput("Deployment", "gitea", "gitea", 0, "PT10S", "r1"));
    activities.scale(new KubeScaleInput("StatefulSet", "gitea", "runner", 0, "PT10S", "r1"));
    KubePatchInput deployment =
        new KubePatchInput(
            "apps/v1",
            "Deployment",
            null,
            "gitea",
            "gitea",
            JSON.readTree("{\"metadata\":{\"annotations\":{\"signalbox.io/db\":\"cnpg\"}}}"),
            null,
            "r1");
    activities.mergePatch(deployment.undo(activities.mergePatch(deployment), "r2"));
    KubePatchInput configMap =
        new KubePatchInput(
            "v1",
            "ConfigMap",
            null,
            "gitea",
            "gitea-config",
            JSON.readTree("{\"data\":{\"DB_HOST\":\"gitea-db-rw.databases.svc\"}}"),
            null,
            "r1");
    activities.mergePatch(configMap.undo(activities.mergePatch(configMap), "r2"));
    KubePatchInput secret =
        new KubePatchInput(
            "v1",
            "Secret",
            null,
            "gitea",
            "gitea-db",
            JSON.readTree("{\"stringData\":{\"host\":\"gitea-db-rw.databases.svc\"}}"),
            null,
            "r1");
    KubePatchResult patched = activities.mergePatch(secret);
    activities.mergePatch(secret.undo(patched, "r2"));
    new SecretResolver(client)
        .resolve(
            new SecretRef(
                null, null, new SecretRef.SecretKeyRef("databases", "gitea-db-app", "password")));

    Map<String, Set<String>> needed = new TreeMap<>();
    RecordedRequest request;
    while ((request = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null) {
      String[] p = permission(request);
      needed.computeIfAbsent(p[0], ns -> new TreeSet<>()).add(p[1]);
    }
    return needed;
  }

  private void givenTheClusterOfTheGiteaMigration() {
    client
        .genericKubernetesResources(KubernetesActivitiesImpl.CNPG_CLUSTER)
        .inNamespace("databases")
        .resource(cnpgCluster(1, null, 0))
        .create();
    client
        .secrets()
        .inNamespace("databases")
        .resource(secret("databases", "gitea-db-app", Map.of("password", "pw")))
        .create();
    // Status without an observed generation and no pods: scaling to 0 ends at the first look.
    client.apps().deployments().inNamespace("gitea").resource(giteaDeployment(1)).create();
    client
        .apps()
        .statefulSets()
        .inNamespace("gitea")
        .resource(
            new StatefulSetBuilder()
                .withNewMetadata()
                .withName("runner")
                .withNamespace("gitea")
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", "runner")
                .endSelector()
                .endSpec()
                .build())
        .create();
    client
        .configMaps()
        .inNamespace("gitea")
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("gitea-config")
                .withNamespace("gitea")
                .endMetadata()
                .addToData("DB_HOST", "old")
                .build())
        .create();
    client
        .secrets()
        .inNamespace("gitea")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("gitea-db")
                .withNamespace("gitea")
                .endMetadata()
                .addToData("host", b64("old"))
                .build())
        .create();
  }

  private void drainRequests() throws InterruptedException {
    while (server.takeRequest(100, TimeUnit.MILLISECONDS) != null) {
      // Requests of the fixtures above: not the worker's.
    }
  }

  /** {namespace, group/resource:verb} of one API request. */
  private static String[] permission(RecordedRequest request) {
    String path = request.getPath();
    String query = path.contains("?") ? path.substring(path.indexOf('?') + 1) : "";
    String ns;
    String group;
    String resource;
    String name;
    String sub;
    Matcher core = CORE.matcher(path);
    Matcher grouped = GROUP.matcher(path);
    if (core.lookingAt()) {
      ns = core.group(1);
      group = "";
      resource = core.group(2);
      name = core.group(3);
      sub = core.group(4);
    } else if (grouped.lookingAt()) {
      group = grouped.group(1);
      ns = grouped.group(2);
      resource = grouped.group(3);
      name = grouped.group(4);
      sub = grouped.group(5);
    } else {
      throw new AssertionError("a request the Roles cannot grant: " + request.getRequestLine());
    }
    String verb =
        switch (request.getMethod()) {
          case "GET" -> name == null ? (query.contains("watch=true") ? "watch" : "list") : "get";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> name == null ? "deletecollection" : "delete";
          default -> throw new AssertionError("unexpected method " + request.getMethod());
        };
    return new String[] {
      ns, permission(group, sub == null ? resource : resource + "/" + sub, verb)
    };
  }

  private static String permission(String group, String resource, String verb) {
    return (group.isEmpty() ? "" : group + "/") + resource + ":" + verb;
  }

  private static List<Role> roles() throws IOException {
    return load("role.yaml").stream().map(Role.class::cast).toList();
  }

  /** The objects of a manifest, one per YAML document. */
  private static List<HasMetadata> load(String file) throws IOException {
    try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
      Object parsed = Serialization.unmarshal(in);
      if (parsed instanceof KubernetesList list) {
        return list.getItems();
      }
      if (parsed instanceof List<?> list) {
        return list.stream().map(HasMetadata.class::cast).toList();
      }
      return List.of((HasMetadata) parsed);
    }
  }
}
