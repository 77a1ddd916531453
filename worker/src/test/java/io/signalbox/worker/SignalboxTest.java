package io.signalbox.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which mode the jar's arguments choose. */
class SignalboxTest {

  @Test
  void workerModes() {
    assertThat(Signalbox.isWorker(new String[] {})).isTrue();
    assertThat(Signalbox.isWorker(new String[] {"worker"})).isTrue();
    assertThat(Signalbox.isWorker(new String[] {"dev", "--server.port=9000"})).isTrue();
    assertThat(Signalbox.isWorker(new String[] {"--spring.profiles.active=dev"})).isTrue();
  }

  @Test
  void cliModes() {
    assertThat(Signalbox.isWorker(new String[] {"list"})).isFalse();
    assertThat(Signalbox.isWorker(new String[] {"dev-server", "--port", "7233"})).isFalse();
    assertThat(Signalbox.isWorker(new String[] {"--address=localhost:7233"})).isFalse();
    assertThat(Signalbox.isWorker(new String[] {"--help"})).isFalse();
    assertThat(Signalbox.isWorker(new String[] {"nonsense"})).isFalse();
  }
}
