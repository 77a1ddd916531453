package io.signalbox.workflows.rollback;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.RunbookControls;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Puts an app back on its old database after a completed migration, from what that run recorded
 * ({@link io.signalbox.workflows.migration.SwitchFacts}): read the evidence → measure what would be
 * left behind → gate {@code rollback} → freeze the new database (or scale the app to 0) → carry
 * rows over (optional) → repoint the app → lift the old database's freeze → start the app → health
 * check → link the evidence. Input: {@link RollbackInput} as JSON; workflow id {@code
 * rollback-<workflowId>}. See {@code runbooks/rollback/README.md}.
 */
@WorkflowInterface
public interface RollbackWorkflow extends RunbookControls {
  String TYPE = "Rollback";

  @WorkflowMethod(name = TYPE)
  RunbookResult run(JsonNode input);
}
