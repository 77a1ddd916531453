package io.signalbox.activities.kubernetes;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.signalbox.workflows.core.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.util.function.Supplier;

/**
 * The Kubernetes API as the activities call it: each call's errors mapped to Signalbox's failure
 * types (permanent for permissions, missing objects and refused input; retryable for conflicts,
 * server errors and lost connections, so Temporal is the one layer that retries), and resources
 * read as JSON trees.
 */
final class KubeApi {
  private final KubernetesClient client;
  private final ObjectMapper json = new ObjectMapper();

  KubeApi(KubernetesClient client) {
    this.client = client;
  }

  KubernetesClient client() {
    return client;
  }

  ObjectMapper json() {
    return json;
  }

  /**
   * Runs one API call, turning its errors into Signalbox failures. For a Secret no server message
   * is repeated, since a validation message may quote a value.
   */
  static <T> T call(String what, String verb, boolean secret, Supplier<T> op) {
    try {
      return op.get();
    } catch (KubernetesClientException e) {
      throw failure(what, verb, secret, e);
    }
  }

  static ApplicationFailure failure(
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

  JsonNode tree(HasMetadata resource) {
    try {
      return json.readTree(client.getKubernetesSerialization().asJson(resource));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("fabric8 wrote JSON that Jackson cannot read", e);
    }
  }

  String write(JsonNode node) {
    try {
      return json.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a JSON tree", e);
    }
  }
}
