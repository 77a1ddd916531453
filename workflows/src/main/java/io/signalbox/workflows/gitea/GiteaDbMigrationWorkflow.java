package io.signalbox.workflows.gitea;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.RunbookControls;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Moves Gitea's database from its old PostgreSQL to a CloudNativePG cluster: preflight → safety
 * backup → gate {@code freeze} → freeze writes → {@code PostgresCopy} → gate {@code switch} →
 * switch → start the app → health check. Input: {@link GiteaDbMigrationInput} as JSON.
 */
@WorkflowInterface
public interface GiteaDbMigrationWorkflow extends RunbookControls {
  String TYPE = "GiteaDbMigration";

  @WorkflowMethod(name = TYPE)
  RunbookResult run(JsonNode input);
}
