package io.signalbox.activities.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(crud = true)
class SecretResolverTest {

  static KubernetesClient client;

  private static final String VALUE = "s3cr3t-Välue";

  @TempDir Path tmp;

  @BeforeEach
  void secrets() {
    client
        .secrets()
        .inNamespace("gitea")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("gitea-db")
                .withNamespace("gitea")
                .endMetadata()
                .addToData(
                    "password",
                    Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8)))
                .build())
        .createOr(r -> r.update());
  }

  @Test
  void envFromTheRealProcessEnvironment() {
    // PATH is set in every JVM that Maven starts; the one-argument constructor reads System.getenv.
    SecretResolver resolver = new SecretResolver(null);
    assertThat(resolver.resolve(new SecretRef("PATH", null, null)))
        .isEqualTo(System.getenv("PATH"));
  }

  @Test
  void envNotSetNamesTheVariableNotAValue() {
    SecretResolver resolver = new SecretResolver(null, Map.of("OTHER", VALUE)::get);
    assertThatThrownBy(() -> resolver.resolve(new SecretRef("PG_PASSWORD_MISSING", null, null)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("PreconditionFailed");
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage())
                  .contains("env:PG_PASSWORD_MISSING")
                  .doesNotContain(VALUE);
            });
    assertThat(
            new SecretResolver(null, Map.of("X", VALUE)::get)
                .resolve(new SecretRef("X", null, null)))
        .isEqualTo(VALUE);
  }

  @Test
  void fileWithTrailingNewline() throws Exception {
    Path f = tmp.resolve("pw");
    Files.writeString(f, VALUE + "\n");
    assertThat(new SecretResolver(null).resolve(new SecretRef(null, f.toString(), null)))
        .isEqualTo(VALUE);
  }

  @Test
  void missingFileIsAPreconditionFailure() {
    String missing = tmp.resolve("nope").toString();
    assertThatThrownBy(() -> new SecretResolver(null).resolve(new SecretRef(null, missing, null)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("PreconditionFailed");
              assertThat(f.getOriginalMessage()).contains(missing).contains("does not exist");
            });
  }

  @Test
  void unreadableFileIsAPreconditionFailure() throws Exception {
    // A directory cannot be read as a file, even by root.
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    assertThatThrownBy(
            () -> new SecretResolver(null).resolve(new SecretRef(null, dir.toString(), null)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> assertThat(f.getOriginalMessage()).contains("cannot read the file"));
  }

  @Test
  void kubernetesSecretKey() {
    SecretResolver resolver = new SecretResolver(client);
    assertThat(
            resolver.resolve(
                new SecretRef(
                    null, null, new SecretRef.SecretKeyRef("gitea", "gitea-db", "password"))))
        .isEqualTo(VALUE);
  }

  @Test
  void kubernetesMissingKeyAndMissingSecret() {
    SecretResolver resolver = new SecretResolver(client);
    assertThatThrownBy(
            () ->
                resolver.resolve(
                    new SecretRef(
                        null, null, new SecretRef.SecretKeyRef("gitea", "gitea-db", "passwd"))))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("PreconditionFailed");
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage())
                  .contains("gitea/gitea-db")
                  .contains("has no key passwd")
                  .doesNotContain(VALUE)
                  .doesNotContain(
                      Base64.getEncoder().encodeToString(VALUE.getBytes(StandardCharsets.UTF_8)));
            });
    assertThatThrownBy(
            () ->
                resolver.resolve(
                    new SecretRef(null, null, new SecretRef.SecretKeyRef("gitea", "absent", "k"))))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> assertThat(f.getOriginalMessage()).contains("Secret absent not found"));
  }

  @Test
  void secretRefWithoutClusterFailsClearly() {
    assertThatThrownBy(
            () ->
                new SecretResolver(null)
                    .resolve(new SecretRef(null, null, new SecretRef.SecretKeyRef("a", "b", "c"))))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo("PreconditionFailed");
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage()).contains("no Kubernetes client");
            });
  }

  @Test
  void malformedReferenceIsInvalidInput() {
    assertThatThrownBy(() -> new SecretResolver(null).resolve(new SecretRef("A", "/b", null)))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.getType()).isEqualTo("InvalidInput"));
  }
}
