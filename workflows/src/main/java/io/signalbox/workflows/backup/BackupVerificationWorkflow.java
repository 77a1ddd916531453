package io.signalbox.workflows.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.RunbookControls;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Proves a backup restores: restores a Signalbox dump (or a fresh one taken now) into a scratch
 * database created for the run, verifies it against the dump's manifest, checks it with pg_amcheck,
 * measures the restore time (RTO) and drops the scratch database whatever happens. Its input is a
 * {@link BackupVerificationInput} as JSON; a completed run's result carries {@code rtoSeconds}.
 */
@WorkflowInterface
public interface BackupVerificationWorkflow extends RunbookControls {
  String TYPE = "BackupVerification";

  @WorkflowMethod(name = TYPE)
  RunbookResult run(JsonNode input);
}
