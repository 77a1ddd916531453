package io.signalbox.workflows.demo;

import io.signalbox.workflows.core.FailureType;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory implementation of the test runbook's steps for end-to-end tests: it records the
 * calls so a test can check what ran and in which order, and fails a step whose label asks it to.
 */
public class RecordingDemoActivities implements DemoActivities {
  private final List<String> calls = new CopyOnWriteArrayList<>();

  public List<String> calls() {
    return calls;
  }

  @Override
  public Call inspect(Call call) {
    calls.add(call.name());
    return call;
  }

  @Override
  public Call apply(Call call) {
    calls.add(call.name());
    if (call.label() != null && call.label().equals("fail-" + call.name())) {
      throw FailureType.STEP_FAILED.failure(call.name() + " failed as the label asked");
    }
    return call;
  }

  @Override
  public Call undo(Call call) {
    calls.add(call.name());
    return call;
  }
}
