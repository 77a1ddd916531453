package io.signalbox.workflows.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.RunbookControls;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A small runbook used only by tests to exercise the primitives: inspect → freeze (undo: unfreeze)
 * → gate {@code go} → apply (undo: revert) → verify.
 */
@WorkflowInterface
public interface DemoRunbookWorkflow extends RunbookControls {
  String TYPE = "DemoRunbook";

  @WorkflowMethod(name = TYPE)
  RunbookResult run(JsonNode input);
}
