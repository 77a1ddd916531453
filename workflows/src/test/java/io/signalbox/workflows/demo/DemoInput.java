package io.signalbox.workflows.demo;

import io.signalbox.workflows.core.ApprovalPolicy;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.RunbookInput;

/** Input of the test runbook. */
public record DemoInput(
    String requestedBy, Boolean dryRun, ApprovalPolicy approvals, Endpoint database, String label)
    implements RunbookInput {}
