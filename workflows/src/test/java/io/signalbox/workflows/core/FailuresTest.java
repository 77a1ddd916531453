package io.signalbox.workflows.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.worker.NonDeterministicException;
import org.junit.jupiter.api.Test;

/** Which exceptions are bugs of runbook code, and which belong to Temporal. */
class FailuresTest {

  @Test
  void uncheckedExceptionsOfOurCodeAreBugs() {
    assertThat(Failures.isBug(new NullPointerException())).isTrue();
    assertThat(Failures.isBug(new IllegalArgumentException("x"))).isTrue();
    assertThat(Failures.isBug(new IllegalStateException("x"))).isTrue();
  }

  @Test
  void temporalFailuresAndTheSdksOwnExceptionsAreNot() {
    assertThat(Failures.isBug(ApplicationFailure.newFailure("x", "StepFailed"))).isFalse();
    assertThat(Failures.isBug(new CanceledFailure("x"))).isFalse();
    assertThat(Failures.isBug(new NonDeterministicException("x", null))).isFalse();
    assertThat(Failures.isBug(new StackOverflowError())).isFalse();
    assertThat(Failures.isBug(new Exception("checked"))).isFalse();
  }

  @Test
  void aBugReadsAsItsClassAndMessageBounded() {
    assertThat(Failures.describe(new IllegalStateException("bad")))
        .isEqualTo("IllegalStateException: bad");
    assertThat(Failures.describe(new NullPointerException())).isEqualTo("NullPointerException");
    assertThat(Failures.describe(new IllegalStateException("m".repeat(1 << 20))))
        .hasSize(Limits.TEXT);
  }
}
