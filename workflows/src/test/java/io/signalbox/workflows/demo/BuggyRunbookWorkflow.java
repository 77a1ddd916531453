package io.signalbox.workflows.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.RunbookControls;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A test runbook with bugs in its own code (not in an activity), chosen by the input's label:
 *
 * <ul>
 *   <li>{@code bug-in-step}: inspect → freeze (undo: unfreeze) → step {@code compute} throws a
 *       NullPointerException
 *   <li>{@code bug-between-steps}: inspect → freeze → an IllegalArgumentException outside any step
 *   <li>{@code bug-in-undo}: freeze → apply (its undo throws an IllegalStateException) → step
 *       {@code compute} throws, so both undos run
 * </ul>
 */
@WorkflowInterface
public interface BuggyRunbookWorkflow extends RunbookControls {
  String TYPE = "BuggyRunbook";

  @WorkflowMethod(name = TYPE)
  RunbookResult run(JsonNode input);
}
