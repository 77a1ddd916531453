package io.signalbox.workflows.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a failed run's message is put together from its cause and its compensation. */
class RunbookMessagesTest {

  @Test
  void aChildsSentenceOnWhatWasUndoneIsNotRepeated() {
    assertThat(
            Runbook.withSentence(
                "Backup verification failed: 3584.dat is damaged. Nothing had been changed.",
                "Nothing had been changed."))
        .isEqualTo("Backup verification failed: 3584.dat is damaged. Nothing had been changed.");
  }

  @Test
  void theRunsOwnSentenceFollowsTheCause() {
    assertThat(Runbook.withSentence("Gate 'switch' was rejected by bob: no.", "Undone: freeze."))
        .isEqualTo("Gate 'switch' was rejected by bob: no. Undone: freeze.");
  }
}
