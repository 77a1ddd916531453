package io.signalbox.workflows.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.RunbookStatus;
import io.signalbox.workflows.core.Signals;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * What tests do with a running runbook, as an operator does through the UI: query {@code status},
 * wait for a gate, and read how a run failed. Shared by the workflow tests and the end-to-end
 * tests.
 */
public final class RunbookStubs {
  private RunbookStubs() {}

  /**
   * Approves {@code gate} as {@code by} through the {@code approve} signal, as an approver does.
   */
  public static void approve(WorkflowStub stub, String gate, String by) {
    stub.signal("approve", new Signals.Approve(gate, by, "checked", null));
  }

  /** The run's {@code status} query. */
  public static RunbookStatus status(WorkflowStub stub) {
    return stub.query("status", RunbookStatus.class);
  }

  /** Polls {@code status} until it matches; fails the test with the last status after timeout. */
  public static RunbookStatus await(
      WorkflowStub stub, Duration timeout, Predicate<RunbookStatus> until)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    RunbookStatus s = status(stub);
    while (!until.test(s)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("status never reached the expected state; last: " + s);
      }
      Thread.sleep(20);
      s = status(stub);
    }
    return s;
  }

  /** {@link #await} with 20 seconds. */
  public static RunbookStatus await(WorkflowStub stub, Predicate<RunbookStatus> until)
      throws InterruptedException {
    return await(stub, Duration.ofSeconds(20), until);
  }

  /** Waits until the run waits at {@code gate}. */
  public static RunbookStatus atGate(WorkflowStub stub, Duration timeout, String gate)
      throws InterruptedException {
    return await(
        stub, timeout, s -> s.pendingGate() != null && s.pendingGate().gate().equals(gate));
  }

  /** {@link #atGate} with 20 seconds. */
  public static RunbookStatus atGate(WorkflowStub stub, String gate) throws InterruptedException {
    return atGate(stub, Duration.ofSeconds(20), gate);
  }

  /** The ApplicationFailure the run ended with; fails the test when it did not fail so. */
  public static ApplicationFailure failureOf(WorkflowStub stub) {
    WorkflowFailedException e =
        catchThrowableOfType(
            WorkflowFailedException.class, () -> stub.getResult(RunbookResult.class));
    assertThat(e).as("the run must fail").isNotNull();
    assertThat(e.getCause()).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) e.getCause();
  }
}
