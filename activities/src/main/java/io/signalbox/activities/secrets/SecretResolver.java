package io.signalbox.activities.secrets;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Base64;
import java.util.Map;
import java.util.function.Function;

/**
 * Resolves a {@link SecretRef} to its value, inside activities only: the value never goes back to
 * workflow code, history, logs or evidence, and no message of this class contains it.
 *
 * <p>Sources: an environment variable of the worker; a file on the worker (one trailing newline is
 * removed, as files written by {@code echo} or mounted from a Secret often carry one); a key of a
 * Kubernetes Secret, read with the injected {@link KubernetesClient} ({@code data} is base64,
 * {@code stringData} is taken as is).
 *
 * <p>Failures are {@link FailureType#PRECONDITION_FAILED} (non-retryable) when the reference points
 * at nothing (variable not set, file missing, Secret or key missing, no cluster configured), {@link
 * FailureType#INVALID_INPUT} when the reference itself is malformed, and {@link
 * FailureType#TRANSIENT} when the Kubernetes API could not be reached, so Temporal retries.
 */
public final class SecretResolver {

  private final KubernetesClient kubernetes;
  private final Function<String, String> environment;

  /**
   * @param kubernetes the cluster's client, or null when the worker has no cluster: Secret
   *     references then fail with a clear {@code PreconditionFailed}
   */
  public SecretResolver(KubernetesClient kubernetes) {
    this(kubernetes, System::getenv);
  }

  /**
   * @param kubernetes the cluster's client, or null
   * @param environment looks up an environment variable (tests pass a map's {@code get})
   */
  public SecretResolver(KubernetesClient kubernetes, Function<String, String> environment) {
    this.kubernetes = kubernetes;
    this.environment = environment;
  }

  /**
   * The value the reference points at.
   *
   * @throws ApplicationFailure see the class documentation; the message names the reference, never
   *     the value
   */
  public String resolve(SecretRef ref) {
    if (ref == null) {
      throw FailureType.INVALID_INPUT.failure("no secret reference given");
    }
    int set =
        (ref.env() != null ? 1 : 0) + (ref.file() != null ? 1 : 0) + (ref.secret() != null ? 1 : 0);
    if (set != 1) {
      throw FailureType.INVALID_INPUT.failure(
          "a secret reference needs exactly one of env, file or secret, got " + set);
    }
    if (ref.env() != null) {
      return fromEnv(ref.env());
    }
    if (ref.file() != null) {
      return fromFile(ref.file());
    }
    return fromKubernetes(ref.secret());
  }

  private String fromEnv(String name) {
    if (name.isBlank()) {
      throw FailureType.INVALID_INPUT.failure("secret reference env: the variable name is empty");
    }
    String value = environment.apply(name);
    if (value == null) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "secret reference env:" + name + ": the environment variable is not set on this worker");
    }
    return value;
  }

  private String fromFile(String file) {
    if (file.isBlank()) {
      throw FailureType.INVALID_INPUT.failure("secret reference file: the path is empty");
    }
    Path path = Paths.get(file);
    try {
      return stripOneNewline(Files.readString(path, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "secret reference file:" + file + ": the file does not exist on this worker");
    } catch (IOException | SecurityException e) {
      // The exception's own message names the file and the error, not the content.
      throw FailureType.PRECONDITION_FAILED.failure(
          "secret reference file:"
              + file
              + ": cannot read the file ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  private String fromKubernetes(SecretRef.SecretKeyRef ref) {
    String described = "secret:" + ref.namespace() + "/" + ref.name() + "#" + ref.key();
    if (blank(ref.namespace()) || blank(ref.name()) || blank(ref.key())) {
      throw FailureType.INVALID_INPUT.failure(
          "secret reference " + described + ": namespace, name and key are all required");
    }
    if (kubernetes == null) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "secret reference "
              + described
              + ": this worker has no Kubernetes client configured; use an env or file reference");
    }
    Secret secret;
    try {
      secret = kubernetes.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401 || e.getCode() == 403) {
        throw FailureType.PRECONDITION_FAILED.failure(
            "secret reference "
                + described
                + ": not allowed to read the Secret ("
                + e.getCode()
                + ")");
      }
      throw FailureType.TRANSIENT.failure(
          "secret reference " + described + ": Kubernetes API error (code " + e.getCode() + ")");
    }
    if (secret == null) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "secret reference "
              + described
              + ": Secret "
              + ref.name()
              + " not found in namespace "
              + ref.namespace());
    }
    Map<String, String> data = secret.getData();
    if (data != null && data.containsKey(ref.key()) && data.get(ref.key()) != null) {
      try {
        return new String(Base64.getDecoder().decode(data.get(ref.key())), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw FailureType.PRECONDITION_FAILED.failure(
            "secret reference " + described + ": the key's data is not valid base64");
      }
    }
    Map<String, String> stringData = secret.getStringData();
    if (stringData != null && stringData.get(ref.key()) != null) {
      return stringData.get(ref.key());
    }
    throw FailureType.PRECONDITION_FAILED.failure(
        "secret reference "
            + described
            + ": Secret "
            + ref.namespace()
            + "/"
            + ref.name()
            + " has no key "
            + ref.key());
  }

  private static String stripOneNewline(String s) {
    if (s.endsWith("\r\n")) {
      return s.substring(0, s.length() - 2);
    }
    if (s.endsWith("\n")) {
      return s.substring(0, s.length() - 1);
    }
    return s;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
