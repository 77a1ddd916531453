package io.signalbox.workflows.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.activity.ActivityInterface;
import java.util.List;

/**
 * What a run asks its worker before it starts, as local activities: whether its JSON input is valid
 * against {@code runbooks/<name>/input.schema.json} and the rules a schema cannot say (before the
 * input is mapped, so bad input fails the run at once instead of becoming a workflow task that
 * retries forever), and which of Signalbox's search attributes the Temporal server has.
 *
 * <p>The search attributes are asked here, of an activity every Signalbox worker registers, because
 * a local activity that a worker does not register fails the workflow task, not the activity.
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

  /**
   * @param names the search attributes the run would upsert
   */
  record SearchAttributesRequest(List<String> names) {}

  /**
   * @param registered those of them the server has (as the worker found or made them)
   */
  record SearchAttributesAnswer(List<String> registered) {}

  /**
   * Which of the named search attributes the Temporal server has, as the worker found (or
   * registered) them at start-up. Asked once per run and recorded in history: a run upserts its
   * search attributes only where the server has them, since upserting an unknown one fails every
   * workflow task of the run. By default none: an implementation that knows nothing of the server
   * (a test's lambda) keeps runs from upserting.
   */
  default SearchAttributesAnswer registeredSearchAttributes(SearchAttributesRequest request) {
    return new SearchAttributesAnswer(List.of());
  }
}
