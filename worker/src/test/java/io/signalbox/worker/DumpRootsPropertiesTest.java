package io.signalbox.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbox.activities.copy.DumpRoots;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code signalbox.dump-roots} as the environment gives it, and its default. */
class DumpRootsPropertiesTest {

  private static SignalboxProperties bind(Map<String, String> values) {
    Map<String, String> all = new HashMap<>(values);
    all.put("signalbox.host-task-queue", "signalbox-test");
    return new Binder(new MapConfigurationPropertySource(all))
        .bind("signalbox", SignalboxProperties.class)
        .get();
  }

  @Test
  void aCommaSeparatedListBindsAndRelativeRootsAreTakenFromTheWorkingDirectory() {
    SignalboxProperties p =
        bind(
            Map.of(
                "signalbox.dump-dir",
                "/var/lib/signalbox/dumps",
                "signalbox.dump-roots",
                "/var/lib/signalbox/dumps,/mnt/backups,var/extra"));

    assertThat(p.dumpRootsOrDefault())
        .containsExactly(
            Path.of("/var/lib/signalbox/dumps"),
            Path.of("/mnt/backups"),
            Path.of("var/extra").toAbsolutePath());
  }

  @Test
  void withoutRootsTheDumpDirectoryIsTheOnlyOne() {
    SignalboxProperties p = bind(Map.of("signalbox.dump-dir", "/srv/dumps"));

    DumpRoots roots = new ActivitiesConfiguration().dumpRoots(p);

    assertThat(roots.roots()).containsExactly(Path.of("/srv/dumps"));
    assertThat(roots.contains(Path.of("/srv/dumps/copy-1/run-1"))).isTrue();
    assertThat(roots.contains(Path.of("/srv/dumps-evil"))).isFalse();
    assertThat(bind(Map.of()).dumpRootsOrDefault())
        .containsExactly(Path.of("var/dumps").toAbsolutePath());
  }
}
