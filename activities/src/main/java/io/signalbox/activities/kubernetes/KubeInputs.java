package io.signalbox.activities.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.KubernetesActivities;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Checks of the activities' inputs: each bad field fails fast as InvalidInput, naming it. */
final class KubeInputs {
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,62}");

  private KubeInputs() {}

  static String text(JsonNode node) {
    return node == null || node.isMissingNode() || node.isNull() ? null : node.asText();
  }

  static String required(String field, String value) {
    if (value == null || value.isBlank()) {
      throw FailureType.INVALID_INPUT.failure(field + ": required");
    }
    return value;
  }

  static String requestId(String value) {
    String id = required("requestId", value);
    if (!REQUEST_ID.matcher(id).matches()) {
      throw FailureType.INVALID_INPUT.failure(
          "requestId: letters, digits and '-', at most 63 (a UUID fits), got " + id);
    }
    return id;
  }

  static String scalableKind(String kind) {
    if (!KubernetesActivities.SCALABLE_KINDS.contains(kind)) {
      throw FailureType.INVALID_INPUT.failure(
          "kind: must be one of " + KubernetesActivities.SCALABLE_KINDS + ", got " + kind);
    }
    return kind;
  }

  static Duration duration(String field, String value, Duration fallback) {
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
}
