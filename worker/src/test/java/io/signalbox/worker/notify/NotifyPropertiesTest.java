package io.signalbox.worker.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbox.activities.notify.NotifyActivitiesImpl;
import io.signalbox.activities.notify.NotifySettings;
import io.signalbox.activities.notify.NotifySettings.Kind;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.workflows.core.NotifyActivities;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code signalbox.notify.*} as the environment gives it, and what a run is told from it. */
class NotifyPropertiesTest {

  private static Map<String, String> map(String... keysAndValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static NotifyProperties bind(Map<String, String> values) {
    return new Binder(new MapConfigurationPropertySource(values))
        .bindOrCreate("signalbox.notify", NotifyProperties.class);
  }

  @Test
  void notifiersBindFromTheEnvironmentWithSecretReferencesAndEventFilters() {
    NotifyProperties p =
        bind(
            map(
                "signalbox.notify.ui-base-url", "http://ui:8080",
                "signalbox.notify.allowed-topics", "night-shift,dba",
                "signalbox.notify.deadline-lead", "PT45M",
                "signalbox.notify.notifiers[0].name", "phone",
                "signalbox.notify.notifiers[0].kind", "ntfy",
                "signalbox.notify.notifiers[0].url", "https://ntfy.example.org",
                "signalbox.notify.notifiers[0].topic", "ops",
                "signalbox.notify.notifiers[0].token.env", "NTFY_TOKEN",
                "signalbox.notify.notifiers[0].events", "gate-waiting,run-failed",
                "signalbox.notify.notifiers[1].name", "chat",
                "signalbox.notify.notifiers[1].kind", "slack",
                "signalbox.notify.notifiers[1].url-ref.file", "/run/secrets/slack-url"));
    NotifySettings s = p.settings();

    assertThat(s.uiBaseUrl()).isEqualTo("http://ui:8080");
    assertThat(s.allowedTopics()).containsExactly("night-shift", "dba");
    assertThat(s.deadlineLead()).isEqualTo(Duration.ofMinutes(45));
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.notifiers()).hasSize(2);
    assertThat(s.notifiers().get(0).kind()).isEqualTo(Kind.NTFY);
    assertThat(s.notifiers().get(0).token().env()).isEqualTo("NTFY_TOKEN");
    assertThat(s.notifiers().get(0).events()).containsExactly("gate-waiting", "run-failed");
    assertThat(s.notifiers().get(1).urlRef().file()).isEqualTo("/run/secrets/slack-url");
    assertThat(s.problems()).isEmpty();

    NotifyActivities.Plan plan =
        new NotifyActivitiesImpl(s, ref -> "x")
            .plan(new NotifyActivities.PlanRequest("GiteaDbMigration", List.of("dba", "random")));
    // chat wants every event, so every event is planned; one topic is allowed, one is not.
    assertThat(plan.events()).containsExactlyElementsOf(NotifyActivities.EVENTS);
    assertThat(plan.topics()).containsExactly("dba");
    assertThat(plan.refused())
        .containsExactly(
            "$.notify.topics[1]: 'random' is not allowed on this worker; allowed: night-shift, dba");
    assertThat(plan.deadlineLead()).isEqualTo("PT45M");
  }

  @Test
  void withoutNotifiersRunsAreToldThereIsNothingToSend() {
    NotifyProperties p = bind(Map.of("signalbox.notify.allowed-topics", ""));
    NotifySettings s = p.settings();
    assertThat(s.notifiers()).isEmpty();
    assertThat(s.allowedTopics()).isEmpty();
    NotifyActivities.Plan plan =
        new NotifyActivitiesImpl(s, ref -> null)
            .plan(new NotifyActivities.PlanRequest("DrRehearsal", List.of()));
    assertThat(plan.events()).isEmpty();
    assertThat(plan.deadlineLead()).isEqualTo("PT1H");
  }

  @Test
  void aNotifierThatCannotWorkStopsTheWorkerNamingTheProperty() {
    NotifyProperties p =
        bind(
            Map.of(
                "signalbox.notify.notifiers[0].name", "pager",
                "signalbox.notify.notifiers[0].kind", "gotify",
                "signalbox.notify.notifiers[0].url", "https://gotify.example.org",
                "signalbox.notify.notifiers[0].events", "gate-wating"));
    assertThatThrownBy(
            () -> new NotifyConfiguration().notifyActivities(p, new SecretResolver(null)))
        .hasMessageContaining("signalbox.notify.notifiers[0].token")
        .hasMessageContaining("unknown event 'gate-wating'");
  }
}
