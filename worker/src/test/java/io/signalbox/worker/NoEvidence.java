package io.signalbox.worker;

import io.signalbox.workflows.core.EvidenceActivities;

/** Evidence is not what the worker's tests look at: acknowledge without storing. */
public class NoEvidence implements EvidenceActivities {
  @Override
  public EvidenceRef record(EvidenceInput input) {
    return new EvidenceRef(input.workflowId() + "/" + input.runId(), null, null);
  }
}
