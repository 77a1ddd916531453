package io.signalbox.worker.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The options the demo adds to the commands it prints, so they reach its dev server. */
class DemoListenerTest {

  private static final Map<String, String> NO_ENV = Map.of();

  @Test
  void theDefaultAddressNeedsNoOption() {
    assertThat(DemoListener.connectionFlags("127.0.0.1:7233", "default", NO_ENV::get)).isEmpty();
    assertThat(DemoListener.connectionFlags("localhost:7233", null, NO_ENV::get)).isEmpty();
  }

  @Test
  void anotherPortOrNamespaceIsSpelledOut() {
    assertThat(DemoListener.connectionFlags("127.0.0.1:7299", "default", NO_ENV::get))
        .isEqualTo(" --address 127.0.0.1:7299");
    assertThat(DemoListener.connectionFlags("127.0.0.1:7233", "ops", NO_ENV::get))
        .isEqualTo(" --namespace ops");
  }

  @Test
  void theCliEnvironmentCountsAsWhatTheCliWillUse() {
    Map<String, String> env = Map.of("TEMPORAL_ADDRESS", "127.0.0.1:7299");
    assertThat(DemoListener.connectionFlags("127.0.0.1:7299", "default", env::get)).isEmpty();
    // The variable points elsewhere: the printed command must override it.
    assertThat(DemoListener.connectionFlags("127.0.0.1:7233", "default", env::get))
        .isEqualTo(" --address 127.0.0.1:7233");
    assertThat(
            DemoListener.connectionFlags(
                "127.0.0.1:7233", "ops", Map.of("TEMPORAL_NAMESPACE", "ops")::get))
        .isEmpty();
  }
}
