package io.signalbox.workflows.statehub;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.RunbookControls;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Makes a cluster copy of the State Hub database the primary: a fresh verified backup (or a {@code
 * BackupVerification} now) → preflight and target schema check → rehearsal {@code PostgresCopy}
 * while the source stays live → gate {@code freeze} → freeze source writes → final {@code
 * PostgresCopy} → gate {@code cutover} → start the cluster-side app → switch → health check. The
 * source stays frozen as the fallback. Input: {@link StateHubCutoverInput} as JSON.
 */
@WorkflowInterface
public interface StateHubCutoverWorkflow extends RunbookControls {
  String TYPE = "StateHubCutover";

  @WorkflowMethod(name = TYPE)
  RunbookResult run(JsonNode input);
}
