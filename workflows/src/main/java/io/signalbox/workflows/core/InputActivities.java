package io.signalbox.workflows.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * Checks a runbook's JSON input against {@code runbooks/<name>/input.schema.json} and the rules a
 * schema cannot say. Called as a local activity before the input is mapped, so bad input fails the
 * run at once instead of becoming a workflow task that retries forever.
 */
@ActivityInterface
public interface InputActivities {

  /**
   * @param runbook the workflow type, e.g. {@code GiteaDbMigration}
   * @param input the input exactly as the client sent it
   */
  record ValidationRequest(String runbook, JsonNode input) {}

  /**
   * @param errors one line per bad field, each starting with its JSON path; empty when valid
   */
  record ValidationResult(List<String> errors) {
    public boolean valid() {
      return errors == null || errors.isEmpty();
    }
  }

  ValidationResult validate(ValidationRequest request);
}
