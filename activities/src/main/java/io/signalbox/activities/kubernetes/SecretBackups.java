package io.signalbox.activities.kubernetes;

import static io.signalbox.activities.kubernetes.KubeApi.call;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.signalbox.workflows.core.FailureType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The backup Secrets that hold a Secret patch's undo: its values never go into a heartbeat or the
 * workflow's history, so the undo patch is written to a Secret named after the request id (created
 * only if it does not exist yet) before the Secret is patched, and read back to restore. Also turns
 * a Secret patch's {@code stringData} into {@code data}, as the API server does.
 */
final class SecretBackups {
  /** The key of a backup Secret that holds the undo patch. */
  static final String BACKUP_KEY = "undo-patch.json";

  static final String BACKUP_OF = "signalbox.io/backup-of";
  static final String BACKUP_REQUEST = "signalbox.io/request-id";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  private final KubeApi api;
  private final KubernetesClient client;

  SecretBackups(KubeApi api) {
    this.api = api;
    this.client = api.client();
  }

  /** A Secret patch with {@code stringData} turned into {@code data}, as the API server does. */
  static JsonNode secretPatch(JsonNode patch) {
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

  boolean secretExists(String namespace, String secretName, String what) {
    return call(
            "backup Secret " + namespace + "/" + secretName + " of " + what,
            "get",
            true,
            () -> client.secrets().inNamespace(namespace).withName(secretName).get())
        != null;
  }

  void writeBackup(
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
                Base64.getEncoder()
                    .encodeToString(api.write(undo).getBytes(StandardCharsets.UTF_8)))
            .build();
    String described = "backup Secret " + namespace + "/" + backupName + " of " + what;
    try {
      client.secrets().inNamespace(namespace).resource(backup).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw KubeApi.failure(described, "create", true, e);
      }
      // 409: a concurrent attempt of the same request wrote it first; its content is as good.
    }
  }

  Optional<JsonNode> readBackup(String namespace, String name, String backupName) {
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
      JsonNode undo = api.json().readTree(Base64.getDecoder().decode(stored));
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
}
