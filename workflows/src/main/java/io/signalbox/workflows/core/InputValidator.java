package io.signalbox.workflows.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/**
 * A run's input, checked before anything runs: against the runbook's JSON schema (a local
 * activity), mapped onto its record, then the record's own {@link RunbookInput#problems()}. Each
 * fails with {@code InvalidInput}. Workflow code.
 *
 * @param <I> the runbook's input record
 */
final class InputValidator<I extends RunbookInput> {
  private final String type;
  private final Class<I> inputType;
  private final Notifications notifications;
  private final InputActivities activities;

  /**
   * @param type the workflow type, which also names the input schema
   * @param inputType the record the validated input maps onto
   * @param notifications the run's notifications, started from a valid input
   */
  InputValidator(String type, Class<I> inputType, Notifications notifications) {
    this.type = type;
    this.inputType = inputType;
    this.notifications = notifications;
    this.activities =
        Workflow.newLocalActivityStub(
            InputActivities.class,
            LocalActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setMaximumAttempts(5)
                        .setDoNotRetry(FailureType.nonRetryableTypes())
                        .build())
                .build());
  }

  /** The input activities (also asked which search attributes the server has). */
  InputActivities activities() {
    return activities;
  }

  /** The input as its record, once valid; starts the run's notifications. */
  I validate(JsonNode rawInput) {
    InputActivities.ValidationResult checked =
        activities.validate(new InputActivities.ValidationRequest(type, rawInput));
    if (!checked.valid()) {
      throw FailureType.INVALID_INPUT.failure(
          "Invalid input for " + type + ": " + String.join("; ", checked.errors()));
    }
    I input;
    try {
      input = Json.map(Notifications.inputWithoutNotify(rawInput), inputType);
    } catch (IllegalArgumentException e) {
      throw FailureType.INVALID_INPUT.failure("Invalid input for " + type + ": " + e.getMessage());
    }
    // What a schema cannot say: values that are each valid but cannot work together.
    List<String> problems = input.problems();
    if (!problems.isEmpty()) {
      throw FailureType.INVALID_INPUT.failure(
          "Invalid input for " + type + ": " + String.join("; ", problems));
    }
    notifications.start(rawInput);
    return input;
  }
}
