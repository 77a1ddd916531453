package io.signalbox.activities.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.Pluralize;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.KubernetesActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
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
 */
public class KubernetesActivitiesImpl implements KubernetesActivities {
  private static final Logger log = LoggerFactory.getLogger(KubernetesActivitiesImpl.class);

  static final Duration DEFAULT_SCALE_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration POLL_EVERY = Duration.ofSeconds(2);

  /** The key of a backup Secret that holds the undo patch. */
  static final String BACKUP_KEY = "undo-patch.json";

  static final String BACKUP_OF = "signalbox.io/backup-of";
  static final String BACKUP_REQUEST = "signalbox.io/request-id";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,62}");

  static final ResourceDefinitionContext CNPG_CLUSTER =
      new ResourceDefinitionContext.Builder()
          .withGroup("postgresql.cnpg.io")
          .withVersion("v1")
          .withKind("Cluster")
          .withPlural("clusters")
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;
  private final Duration pollEvery;
  private final ObjectMapper json = new ObjectMapper();

  /**
   * @param client the worker's one client; build its config with a small {@code
   *     requestRetryBackoffLimit}, since Temporal does the retrying
   */
  public KubernetesActivitiesImpl(KubernetesClient client) {
    this(client, POLL_EVERY);
  }

  KubernetesActivitiesImpl(KubernetesClient client, Duration pollEvery) {
    this.client = client;
    this.pollEvery = pollEvery;
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
    JsonNode tree = tree(cluster);
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

  // ---------------------------------------------------------------- deployment status

  @Override
  public KubeDeploymentStatus deploymentStatus(KubeDeploymentStatusInput input) {
    if (input == null) {
      throw FailureType.INVALID_INPUT.failure("deploymentStatus: no input");
    }
    String kind = scalableKind(input.kind() == null ? "Deployment" : input.kind());
    String namespace = required("namespace", input.namespace());
    String name = required("name", input.name());
    String what = kind + " " + namespace + "/" + name;
    Workload w = Workload.of(call(what, "get", false, () -> workload(kind, namespace, name).get()));
    if (w == null) {
      throw FailureType.PRECONDITION_FAILED.failure(what + " not found");
    }
    return new KubeDeploymentStatus(
        kind,
        namespace,
        name,
        w.specReplicas(),
        w.readyReplicas(),
        w.updatedReplicas(),
        w.images(),
        describe(w.selector()));
  }

  // ---------------------------------------------------------------- scale

  @Override
  public KubeScaleResult scale(KubeScaleInput input) {
    if (input == null) {
      throw FailureType.INVALID_INPUT.failure("scale: no input");
    }
    String kind = scalableKind(input.kind());
    String namespace = required("namespace", input.namespace());
    String name = required("name", input.name());
    String requestId = requestId(input.requestId());
    int wanted = input.replicas();
    if (wanted < 0) {
      throw FailureType.INVALID_INPUT.failure("scale.replicas: must be 0 or more, got " + wanted);
    }
    Duration timeout = duration("scale.timeout", input.timeout(), DEFAULT_SCALE_TIMEOUT);
    String what = kind + " " + namespace + "/" + name;
    ActivityExecutionContext context = Activity.getExecutionContext();
    Resource<? extends HasMetadata> resource = workload(kind, namespace, name);

    Workload found = Workload.of(call(what, "get", false, resource::get));
    if (found == null) {
      throw FailureType.PRECONDITION_FAILED.failure(what + " not found");
    }
    int current = found.specReplicas();
    int previous =
        context
            .getHeartbeatDetails(ScaleHeartbeat.class)
            .filter(h -> requestId.equals(h.requestId()))
            .map(ScaleHeartbeat::previousReplicas)
            .orElse(current);
    // Recorded before the change, so an attempt that dies after it still tells the next attempt
    // what to restore (by then spec.replicas already says the new number).
    context.heartbeat(
        new ScaleHeartbeat(
            requestId,
            previous,
            "setting replicas of " + what + " from " + current + " to " + wanted));
    boolean changed = current != wanted;
    if (changed) {
      String patch = "{\"spec\":{\"replicas\":" + wanted + "}}";
      call(
          what, "patch", false, () -> resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch));
      log.info(
          "{}: replicas {} -> {} (request {}, before the request: {})",
          what,
          current,
          wanted,
          requestId,
          previous);
    } else {
      log.info("{}: already at {} replicas (request {})", what, wanted, requestId);
    }

    long start = System.nanoTime();
    while (true) {
      Workload now = Workload.of(call(what, "get", false, resource::get));
      if (now == null) {
        throw FailureType.PRECONDITION_FAILED.failure(
            what + " disappeared while waiting for it to reach " + wanted + " replicas");
      }
      String waitingFor = waitingFor(now, wanted, namespace);
      long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
      if (waitingFor == null) {
        log.info("{}: {} replicas reached after {} ms", what, wanted, waited);
        return new KubeScaleResult(
            kind, namespace, name, previous, wanted, changed, now.readyReplicas(), waited);
      }
      // Throws when the activity is cancelled or the worker lost its heartbeat: let it through.
      context.heartbeat(new ScaleHeartbeat(requestId, previous, waitingFor));
      long left = timeout.toMillis() - waited;
      if (left <= 0) {
        // Retryable: the workflow's retry policy decides whether to wait longer.
        throw FailureType.TRANSIENT.failure(
            what
                + ": replicas set to "
                + wanted
                + " but after "
                + timeout
                + " still waiting for "
                + waitingFor);
      }
      sleep(Math.min(left, pollEvery.toMillis()));
    }
  }

  /** What the wait still waits for, or null when the workload has reached {@code wanted}. */
  private String waitingFor(Workload w, int wanted, String namespace) {
    if (w.generation() != null
        && w.observedGeneration() != null
        && w.observedGeneration() < w.generation()) {
      return "the controller to observe generation "
          + w.generation()
          + " (observed "
          + w.observedGeneration()
          + ")";
    }
    if (wanted == 0) {
      if (w.statusReplicas() > 0) {
        return "status.replicas " + w.statusReplicas() + " to reach 0";
      }
      LabelSelector selector = w.selector();
      if (selectsSomething(selector)) {
        int pods =
            call(
                    "pods of " + w.describe(),
                    "list",
                    false,
                    () -> client.pods().inNamespace(namespace).withLabelSelector(selector).list())
                .getItems()
                .size();
        if (pods > 0) {
          return pods + " pod(s) matching " + describe(selector) + " to go away";
        }
      }
      return null;
    }
    if (w.readyReplicas() < wanted || w.updatedReplicas() < wanted) {
      return "readyReplicas "
          + w.readyReplicas()
          + "/"
          + wanted
          + ", updatedReplicas "
          + w.updatedReplicas()
          + "/"
          + wanted;
    }
    return null;
  }

  private Resource<? extends HasMetadata> workload(String kind, String namespace, String name) {
    return "Deployment".equals(kind)
        ? client.apps().deployments().inNamespace(namespace).withName(name)
        : client.apps().statefulSets().inNamespace(namespace).withName(name);
  }

  /** The fields of a Deployment or StatefulSet the activities read, with Kubernetes' defaults. */
  private record Workload(
      HasMetadata object,
      Integer replicas,
      Integer status,
      Integer ready,
      Integer updated,
      Long observedGeneration,
      LabelSelector selector,
      PodTemplateSpec template) {

    static Workload of(HasMetadata o) {
      if (o instanceof Deployment d) {
        var s = d.getStatus();
        return new Workload(
            d,
            d.getSpec() == null ? null : d.getSpec().getReplicas(),
            s == null ? null : s.getReplicas(),
            s == null ? null : s.getReadyReplicas(),
            s == null ? null : s.getUpdatedReplicas(),
            s == null ? null : s.getObservedGeneration(),
            d.getSpec() == null ? null : d.getSpec().getSelector(),
            d.getSpec() == null ? null : d.getSpec().getTemplate());
      }
      if (o instanceof StatefulSet d) {
        var s = d.getStatus();
        return new Workload(
            d,
            d.getSpec() == null ? null : d.getSpec().getReplicas(),
            s == null ? null : s.getReplicas(),
            s == null ? null : s.getReadyReplicas(),
            s == null ? null : s.getUpdatedReplicas(),
            s == null ? null : s.getObservedGeneration(),
            d.getSpec() == null ? null : d.getSpec().getSelector(),
            d.getSpec() == null ? null : d.getSpec().getTemplate());
      }
      return null;
    }

    /** {@code spec.replicas}; Kubernetes defaults it to 1. */
    int specReplicas() {
      return replicas == null ? 1 : replicas;
    }

    int statusReplicas() {
      return status == null ? 0 : status;
    }

    int readyReplicas() {
      return ready == null ? 0 : ready;
    }

    int updatedReplicas() {
      return updated == null ? 0 : updated;
    }

    Long generation() {
      return object.getMetadata().getGeneration();
    }

    List<String> images() {
      if (template == null || template.getSpec() == null) {
        return List.of();
      }
      return template.getSpec().getContainers().stream().map(Container::getImage).toList();
    }

    String describe() {
      return object.getKind()
          + " "
          + object.getMetadata().getNamespace()
          + "/"
          + object.getMetadata().getName();
    }
  }

  // ---------------------------------------------------------------- merge patch

  @Override
  public KubePatchResult mergePatch(KubePatchInput input) {
    if (input == null) {
      throw FailureType.INVALID_INPUT.failure("mergePatch: no input");
    }
    String apiVersion = required("apiVersion", input.apiVersion());
    String kind = required("kind", input.kind());
    String namespace = required("namespace", input.namespace());
    String name = required("name", input.name());
    String requestId = requestId(input.requestId());
    boolean secret = input.targetsSecret();
    // Temporal's JSON converter turns an absent JsonNode into a JSON null: both mean "none".
    JsonNode given =
        input.mergePatch() == null || input.mergePatch().isNull() ? null : input.mergePatch();
    if ((given == null) == (input.restoreFromBackup() == null)) {
      throw FailureType.INVALID_INPUT.failure(
          "mergePatch: exactly one of mergePatch and restoreFromBackup is needed");
    }
    if (input.restoreFromBackup() != null && !secret) {
      throw FailureType.INVALID_INPUT.failure(
          "mergePatch.restoreFromBackup: only a v1 Secret is restored from a backup");
    }
    String what = kind + " " + namespace + "/" + name;
    Resource<GenericKubernetesResource> resource =
        client
            .genericKubernetesResources(definition(apiVersion, kind, input.plural()))
            .inNamespace(namespace)
            .withName(name);
    GenericKubernetesResource found = call(what, "get", secret, resource::get);
    if (found == null) {
      throw FailureType.PRECONDITION_FAILED.failure(what + " not found");
    }
    JsonNode before = tree(found);
    if (secret) {
      return patchSecret(input, given, what, resource, before, requestId);
    }
    JsonNode patch = checkedPatch(given);
    List<String> touched = JsonMergePatch.paths(patch);
    ActivityExecutionContext context = Activity.getExecutionContext();
    JsonNode undo =
        context
            .getHeartbeatDetails(PatchHeartbeat.class)
            .filter(h -> requestId.equals(h.requestId()) && h.undoPatch() != null)
            .map(PatchHeartbeat::undoPatch)
            .orElseGet(() -> JsonMergePatch.undo(patch, before));
    boolean changes = !JsonMergePatch.apply(before, patch).equals(before);
    // Before the change: a later attempt finds this undo even when this one dies after patching.
    context.heartbeat(new PatchHeartbeat(requestId, undo));
    if (changes) {
      call(
          what,
          "patch",
          false,
          () -> resource.patch(PatchContext.of(PatchType.JSON_MERGE), write(patch)));
    }
    log.info("{}: merge patch of {} (request {}, changed={})", what, touched, requestId, changes);
    return new KubePatchResult(apiVersion, kind, namespace, name, changes, touched, undo, null);
  }

  private KubePatchResult patchSecret(
      KubePatchInput input,
      JsonNode given,
      String what,
      Resource<GenericKubernetesResource> resource,
      JsonNode before,
      String requestId) {
    String namespace = input.namespace();
    String name = input.name();
    JsonNode patch;
    if (input.restoreFromBackup() != null) {
      Optional<JsonNode> stored = readBackup(namespace, name, input.restoreFromBackup());
      if (stored.isEmpty()) {
        // The undo may be registered before its step ran: no backup means nothing was changed.
        log.info(
            "{}: backup {} not found, nothing to restore (request {})",
            what,
            input.restoreFromBackup(),
            requestId);
        return new KubePatchResult(
            input.apiVersion(), input.kind(), namespace, name, false, List.of(), null, null);
      }
      patch = stored.get();
    } else {
      patch = secretPatch(checkedPatch(given));
    }
    List<String> touched = JsonMergePatch.paths(patch);
    boolean changes = !JsonMergePatch.apply(before, patch).equals(before);
    String backupName = KubePatchInput.backupName(name, requestId);
    boolean backedUp = secretExists(namespace, backupName, what);
    if (!backedUp && !changes) {
      log.info("{}: merge patch of {} already in effect (request {})", what, touched, requestId);
      return new KubePatchResult(
          input.apiVersion(), input.kind(), namespace, name, false, touched, null, null);
    }
    if (!backedUp) {
      // Written before the Secret changes; an earlier attempt's backup is kept, since it holds the
      // values from before that attempt.
      writeBackup(namespace, name, backupName, requestId, JsonMergePatch.undo(patch, before), what);
    }
    if (changes) {
      call(
          what,
          "patch",
          true,
          () -> resource.patch(PatchContext.of(PatchType.JSON_MERGE), write(patch)));
    }
    log.info(
        "{}: merge patch of {} (request {}, changed={}, previous values in Secret {})",
        what,
        touched,
        requestId,
        changes,
        backupName);
    return new KubePatchResult(
        input.apiVersion(), input.kind(), namespace, name, changes, touched, null, backupName);
  }

  /** A Secret patch with {@code stringData} turned into {@code data}, as the API server does. */
  private static JsonNode secretPatch(JsonNode patch) {
    JsonNode stringData = patch.get("stringData");
    if (stringData == null) {
      return patch;
    }
    if (!stringData.isObject()) {
      throw FailureType.INVALID_INPUT.failure("mergePatch.stringData: must be an object");
    }
    ObjectNode normalized = ((ObjectNode) patch).deepCopy();
    normalized.remove("stringData");
    JsonNode data = normalized.get("data");
    if (data != null && !data.isObject()) {
      throw FailureType.INVALID_INPUT.failure("mergePatch.data: must be an object");
    }
    ObjectNode target = data == null ? normalized.putObject("data") : (ObjectNode) data;
    for (Iterator<Map.Entry<String, JsonNode>> it = stringData.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        target.putNull(e.getKey());
      } else if (e.getValue().isTextual()) {
        target.put(
            e.getKey(),
            Base64.getEncoder()
                .encodeToString(e.getValue().asText().getBytes(StandardCharsets.UTF_8)));
      } else {
        throw FailureType.INVALID_INPUT.failure(
            "mergePatch.stringData." + e.getKey() + ": must be a string or null");
      }
    }
    return normalized;
  }

  private boolean secretExists(String namespace, String secretName, String what) {
    return call(
            "backup Secret " + namespace + "/" + secretName + " of " + what,
            "get",
            true,
            () -> client.secrets().inNamespace(namespace).withName(secretName).get())
        != null;
  }

  private void writeBackup(
      String namespace,
      String name,
      String backupName,
      String requestId,
      JsonNode undo,
      String what) {
    Secret backup =
        new SecretBuilder()
            .withNewMetadata()
            .withName(backupName)
            .withNamespace(namespace)
            .addToLabels(MANAGED_BY, "signalbox")
            .addToLabels("signalbox.io/backup", "true")
            .addToAnnotations(BACKUP_OF, name)
            .addToAnnotations(BACKUP_REQUEST, requestId)
            .endMetadata()
            .withType("Opaque")
            .addToData(
                BACKUP_KEY,
                Base64.getEncoder().encodeToString(write(undo).getBytes(StandardCharsets.UTF_8)))
            .build();
    String described = "backup Secret " + namespace + "/" + backupName + " of " + what;
    try {
      client.secrets().inNamespace(namespace).resource(backup).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw failure(described, "create", true, e);
      }
      // 409: a concurrent attempt of the same request wrote it first; its content is as good.
    }
  }

  private Optional<JsonNode> readBackup(String namespace, String name, String backupName) {
    String described = "backup Secret " + namespace + "/" + backupName;
    Secret backup =
        call(
            described,
            "get",
            true,
            () -> client.secrets().inNamespace(namespace).withName(backupName).get());
    if (backup == null) {
      return Optional.empty();
    }
    Map<String, String> annotations = backup.getMetadata().getAnnotations();
    String of = annotations == null ? null : annotations.get(BACKUP_OF);
    if (!name.equals(of)) {
      throw FailureType.PRECONDITION_FAILED.failure(
          described + " is not a Signalbox backup of Secret " + namespace + "/" + name);
    }
    String stored = backup.getData() == null ? null : backup.getData().get(BACKUP_KEY);
    if (stored == null) {
      throw FailureType.PRECONDITION_FAILED.failure(described + " has no key " + BACKUP_KEY);
    }
    try {
      JsonNode undo = json.readTree(Base64.getDecoder().decode(stored));
      if (!undo.isObject()) {
        throw FailureType.PRECONDITION_FAILED.failure(
            described + ": " + BACKUP_KEY + " is not a JSON object");
      }
      return Optional.of(undo);
    } catch (java.io.IOException | IllegalArgumentException e) {
      // The exception's message could quote the content: name the problem only.
      throw FailureType.PRECONDITION_FAILED.failure(
          described + ": " + BACKUP_KEY + " is not readable JSON");
    }
  }

  /** Refuses a patch that is not an object or that would retarget the resource. */
  private static JsonNode checkedPatch(JsonNode patch) {
    if (!patch.isObject()) {
      throw FailureType.INVALID_INPUT.failure(
          "mergePatch: must be a JSON object, got " + patch.getNodeType());
    }
    for (String field : List.of("apiVersion", "kind")) {
      if (patch.has(field)) {
        throw FailureType.INVALID_INPUT.failure("mergePatch: must not change " + field);
      }
    }
    JsonNode metadata = patch.get("metadata");
    if (metadata != null) {
      for (String field : List.of("name", "namespace", "uid", "resourceVersion")) {
        if (metadata.has(field)) {
          throw FailureType.INVALID_INPUT.failure("mergePatch: must not change metadata." + field);
        }
      }
    }
    return patch;
  }

  /** Where a resource of this apiVersion and kind lives in the API. */
  static ResourceDefinitionContext definition(String apiVersion, String kind, String plural) {
    int slash = apiVersion.indexOf('/');
    return new ResourceDefinitionContext.Builder()
        .withGroup(slash < 0 ? "" : apiVersion.substring(0, slash))
        .withVersion(slash < 0 ? apiVersion : apiVersion.substring(slash + 1))
        .withKind(kind)
        .withPlural(
            plural == null || plural.isBlank()
                ? Pluralize.toPlural(kind.toLowerCase(Locale.ROOT))
                : plural)
        .withNamespaced(true)
        .build();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Runs one API call, turning its errors into Signalbox failures. For a Secret no server message
   * is repeated, since a validation message may quote a value.
   */
  private static <T> T call(String what, String verb, boolean secret, Supplier<T> op) {
    try {
      return op.get();
    } catch (KubernetesClientException e) {
      throw failure(what, verb, secret, e);
    }
  }

  private static ApplicationFailure failure(
      String what, String verb, boolean secret, KubernetesClientException e) {
    int code = e.getCode();
    String reason =
        e.getStatus() != null && e.getStatus().getReason() != null
            ? " " + e.getStatus().getReason()
            : "";
    String detail =
        secret || e.getStatus() == null || e.getStatus().getMessage() == null
            ? ""
            : ": " + e.getStatus().getMessage();
    if (code == 401 || code == 403) {
      return FailureType.PRECONDITION_FAILED.failure(
          "not allowed to "
              + verb
              + " "
              + what
              + " ("
              + code
              + reason
              + "): the worker's Role must grant it, see deploy/kubernetes/README.md");
    }
    if (code == 404) {
      return FailureType.PRECONDITION_FAILED.failure(what + " not found (" + verb + ")");
    }
    if (code == 400 || code == 422) {
      return FailureType.INVALID_INPUT.failure(
          "the API server refused to " + verb + " " + what + " (" + code + reason + ")" + detail);
    }
    // Conflicts, server errors and lost connections may pass: Temporal retries the attempt.
    return FailureType.TRANSIENT.failure(
        "Kubernetes API error on " + verb + " " + what + " (code " + code + reason + ")" + detail);
  }

  private JsonNode tree(HasMetadata resource) {
    try {
      return json.readTree(client.getKubernetesSerialization().asJson(resource));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("fabric8 wrote JSON that Jackson cannot read", e);
    }
  }

  private String write(JsonNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }

  private static String text(JsonNode node) {
    return node == null || node.isMissingNode() || node.isNull() ? null : node.asText();
  }

  private static String required(String field, String value) {
    if (value == null || value.isBlank()) {
      throw FailureType.INVALID_INPUT.failure(field + ": required");
    }
    return value;
  }

  private static String requestId(String value) {
    String id = required("requestId", value);
    if (!REQUEST_ID.matcher(id).matches()) {
      throw FailureType.INVALID_INPUT.failure(
          "requestId: letters, digits and '-', at most 63 (a UUID fits), got " + id);
    }
    return id;
  }

  private static String scalableKind(String kind) {
    if (!SCALABLE_KINDS.contains(kind)) {
      throw FailureType.INVALID_INPUT.failure(
          "kind: must be one of " + SCALABLE_KINDS + ", got " + kind);
    }
    return kind;
  }

  private static Duration duration(String field, String value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    Duration d;
    try {
      d = Duration.parse(value);
    } catch (DateTimeParseException e) {
      throw FailureType.INVALID_INPUT.failure(field + ": not an ISO-8601 duration: " + value);
    }
    if (d.isZero() || d.isNegative()) {
      throw FailureType.INVALID_INPUT.failure(field + ": must be positive");
    }
    return d;
  }

  private static boolean selectsSomething(LabelSelector selector) {
    return selector != null
        && ((selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty())
            || (selector.getMatchExpressions() != null
                && !selector.getMatchExpressions().isEmpty()));
  }

  private static String describe(LabelSelector selector) {
    if (selector == null || selector.getMatchLabels() == null) {
      return "";
    }
    return new TreeMap<>(selector.getMatchLabels())
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureType.TRANSIENT.failure("interrupted while waiting");
    }
  }
}
