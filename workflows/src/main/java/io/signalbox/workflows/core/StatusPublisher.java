package io.signalbox.workflows.core;

import io.temporal.workflow.Workflow;

/**
 * What a run shows of itself while it runs: the current phase and step, the open gate and a
 * requested pause as the run's current details in the Temporal UI, and, where the server has them,
 * as search attributes ({@link RunSearchAttributes}, only those that changed).
 */
final class StatusPublisher {
  private final String type;
  private final RunSearchAttributes searchAttributes = new RunSearchAttributes();

  /**
   * @param type the workflow type the details name
   */
  StatusPublisher(String type) {
    this.type = type;
  }

  /** Decides once, at the start of the run, whether it upserts search attributes. */
  void decide(InputActivities inputActivities) {
    searchAttributes.decide(inputActivities);
  }

  /** Shows the run's state: its current details and search attributes. */
  void publish(
      Phase phase,
      boolean dryRun,
      String currentStep,
      GateKeeper gates,
      boolean pauseRequested,
      String pausedBy,
      String requestedBy) {
    StringBuilder md = new StringBuilder();
    md.append("**").append(type).append("** ").append(phase);
    if (dryRun) {
      md.append(" (dry run)");
    }
    if (currentStep != null) {
      md.append(" · step `").append(currentStep).append('`');
    }
    Gate gate = gates.current();
    if (gate != null) {
      md.append("\n\nWaiting for approval of gate `")
          .append(gate.name)
          .append("` (")
          .append(gate.approvedBy.size())
          .append('/')
          .append(gates.policy().needed())
          .append(") until ")
          .append(gate.deadline)
          .append(": ")
          .append(gate.prompt);
    }
    if (pauseRequested) {
      md.append("\n\nPause requested by ").append(pausedBy);
    }
    Workflow.setCurrentDetails(md.toString());
    searchAttributes.show(type, phase, currentStep, gate == null ? null : gate.name, requestedBy);
  }
}
