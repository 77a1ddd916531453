package io.signalbox.workflows.copy;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.RunbookControls;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The shared core of every database runbook: preflight → snapshot-consistent dump with manifest →
 * parallel restore → verification against the manifest. Runs as a child workflow of the runbooks
 * (so each copy shows in the UI as its own run) or on its own. Its input is a {@link
 * PostgresCopyInput} as JSON.
 */
@WorkflowInterface
public interface PostgresCopyWorkflow extends RunbookControls {
  String TYPE = "PostgresCopy";

  @WorkflowMethod(name = TYPE)
  RunbookResult run(JsonNode input);
}
