package io.signalbox.workflows.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookWorkflow;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.Map;

/** See {@link BuggyRunbookWorkflow}: each bug is a plain Java exception in workflow code. */
public class BuggyRunbookWorkflowImpl extends RunbookWorkflow<DemoInput>
    implements BuggyRunbookWorkflow {

  public BuggyRunbookWorkflowImpl() {
    super(TYPE, DemoInput.class);
  }

  private final DemoActivities steps =
      Workflow.newActivityStub(
          DemoActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofMinutes(1))
              .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
              .build());

  @Override
  public RunbookResult run(JsonNode input) {
    return runbook.execute(
        input,
        in -> {
          String label = in.label();
          runbook.step("inspect", () -> steps.inspect(new DemoActivities.Call("inspect", label)));
          runbook.change(
              "freeze",
              () -> steps.undo(new DemoActivities.Call("unfreeze", label)),
              () -> steps.apply(new DemoActivities.Call("freeze", label)));
          if ("bug-between-steps".equals(label)) {
            throw new IllegalArgumentException("no such mode: " + label);
          }
          if ("bug-in-undo".equals(label)) {
            runbook.change(
                "apply",
                () -> {
                  throw new IllegalStateException("the undo of apply has a bug");
                },
                () -> steps.apply(new DemoActivities.Call("apply", label)));
          }
          runbook.step(
              "compute",
              () -> {
                Map<String, String> seen = Map.of();
                return seen.get("rows").length(); // NullPointerException: the bug
              });
        });
  }
}
