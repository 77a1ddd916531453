package io.signalbox.workflows.backup;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.RunbookControls;
import io.signalbox.workflows.core.RunbookResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The monthly disaster-recovery drill: a {@code BackupVerification} child per configured database
 * (at most {@code parallelism} at once; one failing does not stop the others), then one report with
 * every database PASSED, FAILED or STALE, its RTO against its limit, the age of its newest previous
 * success and the RTO of its last runs. It completes only when every database passes; otherwise it
 * fails with {@code VerificationFailed} whose details carry the whole report. Its input is a {@link
 * DrRehearsalInput} as JSON; see {@code runbooks/dr-rehearsal/README.md}.
 */
@WorkflowInterface
public interface DrRehearsalWorkflow extends RunbookControls {
  String TYPE = "DrRehearsal";

  @WorkflowMethod(name = TYPE)
  RunbookResult run(JsonNode input);
}
