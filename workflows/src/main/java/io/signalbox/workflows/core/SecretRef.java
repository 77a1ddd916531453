package io.signalbox.workflows.core;

/**
 * A reference to a secret, resolved inside activities only: exactly one of {@code env}, {@code
 * file} or {@code secret} is set. The value never enters workflow code, history or evidence.
 *
 * @param env the name of an environment variable of the worker
 * @param file a file on the worker
 * @param secret a key of a Kubernetes Secret
 */
public record SecretRef(String env, String file, SecretKeyRef secret) {

  /**
   * A key of a Kubernetes Secret.
   *
   * @param namespace the Secret's namespace
   * @param name the Secret's name
   * @param key the key in its data
   */
  public record SecretKeyRef(String namespace, String name, String key) {}

  /** Where the value comes from, for messages and evidence (never the value itself). */
  public String describe() {
    if (env != null) {
      return "env:" + env;
    }
    if (file != null) {
      return "file:" + file;
    }
    if (secret != null) {
      return "secret:" + secret.namespace() + "/" + secret.name() + "#" + secret.key();
    }
    return "none";
  }
}
