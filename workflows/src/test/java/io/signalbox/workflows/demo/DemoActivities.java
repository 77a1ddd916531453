package io.signalbox.workflows.demo;

import io.temporal.activity.ActivityInterface;

/** The test runbook's steps. */
@ActivityInterface
public interface DemoActivities {
  /**
   * @param name the step
   * @param label the run's label
   */
  record Call(String name, String label) {}

  Call inspect(Call call);

  Call apply(Call call);

  Call undo(Call call);
}
