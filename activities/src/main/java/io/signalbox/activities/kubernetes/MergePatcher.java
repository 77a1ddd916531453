package io.signalbox.activities.kubernetes;

import static io.signalbox.activities.kubernetes.KubeApi.call;
import static io.signalbox.activities.kubernetes.KubeInputs.requestId;
import static io.signalbox.activities.kubernetes.KubeInputs.required;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.Pluralize;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.signalbox.activities.kubernetes.KubernetesActivitiesImpl.PatchHeartbeat;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchResult;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON merge patches of any namespaced resource, each with its undo: for most kinds the undo is
 * returned (and heartbeated before the change, see {@link PatchHeartbeat}); for a Secret it is kept
 * in a backup Secret ({@link SecretBackups}), never in history. Part of {@link
 * KubernetesActivitiesImpl}.
 */
final class MergePatcher {
  private static final Logger log = LoggerFactory.getLogger(KubernetesActivitiesImpl.class);

  private final KubeApi api;
  private final KubernetesClient client;
  private final SecretBackups backups;

  MergePatcher(KubeApi api) {
    this.api = api;
    this.client = api.client();
    this.backups = new SecretBackups(api);
  }

  KubePatchResult mergePatch(KubePatchInput input) {
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
    JsonNode before = api.tree(found);
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
          () -> resource.patch(PatchContext.of(PatchType.JSON_MERGE), api.write(patch)));
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
      Optional<JsonNode> stored = backups.readBackup(namespace, name, input.restoreFromBackup());
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
      patch = SecretBackups.secretPatch(checkedPatch(given));
    }
    List<String> touched = JsonMergePatch.paths(patch);
    boolean changes = !JsonMergePatch.apply(before, patch).equals(before);
    String backupName = KubePatchInput.backupName(name, requestId);
    boolean backedUp = backups.secretExists(namespace, backupName, what);
    if (!backedUp && !changes) {
      log.info("{}: merge patch of {} already in effect (request {})", what, touched, requestId);
      return new KubePatchResult(
          input.apiVersion(), input.kind(), namespace, name, false, touched, null, null);
    }
    if (!backedUp) {
      // Written before the Secret changes; an earlier attempt's backup is kept, since it holds the
      // values from before that attempt.
      backups.writeBackup(
          namespace, name, backupName, requestId, JsonMergePatch.undo(patch, before), what);
    }
    if (changes) {
      call(
          what,
          "patch",
          true,
          () -> resource.patch(PatchContext.of(PatchType.JSON_MERGE), api.write(patch)));
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
}
