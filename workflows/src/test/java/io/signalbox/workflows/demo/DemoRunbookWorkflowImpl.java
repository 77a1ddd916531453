package io.signalbox.workflows.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Map;

/** The test runbook: written with the primitives exactly as a product runbook is. */
public class DemoRunbookWorkflowImpl extends RunbookWorkflow<DemoInput>
    implements DemoRunbookWorkflow {

  public DemoRunbookWorkflowImpl() {
    super(TYPE, DemoInput.class);
  }

  private final DemoActivities steps =
      Workflow.newActivityStub(
          DemoActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(1))
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setMaximumAttempts(3)
                      .setDoNotRetry(FailureType.nonRetryableTypes())
                      .build())
              .build());

  @Override
  public RunbookResult run(JsonNode input) {
    return runbook.execute(
        input,
        in -> {
          String label = in.label();
          DemoActivities.Call seen =
              runbook.step(
                  "inspect", () -> steps.inspect(new DemoActivities.Call("inspect", label)));
          runbook.plan(Map.of("label", String.valueOf(label), "would", "freeze, apply"));
          runbook.change(
              "freeze",
              () -> steps.undo(new DemoActivities.Call("unfreeze", label)),
              () -> steps.apply(new DemoActivities.Call("freeze", label)));
          runbook.gate("go", "Apply the change to " + label + "?", Map.of("inspected", seen));
          runbook.change(
              "apply",
              () -> steps.undo(new DemoActivities.Call("revert", label)),
              () -> steps.apply(new DemoActivities.Call("apply", label)));
          runbook.step(
              "verify",
              () -> {
                steps.inspect(new DemoActivities.Call("verify", label));
                runbook.verification(Map.of("matches", true));
              });
        });
  }
}
