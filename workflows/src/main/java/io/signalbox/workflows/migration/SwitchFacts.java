package io.signalbox.workflows.migration;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchInput;
import io.signalbox.workflows.core.KubernetesActivities.KubePatchResult;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleInput;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run that moves an app from an old database to a new one changed, as facts a later {@code
 * Rollback} can undo without knowing which runbook made them: {@code GiteaDbMigration} records them
 * today; {@code StateHubCutover} records the same shape. Carried in {@link
 * io.signalbox.workflows.core.RunbookResult#switched()} and so in the run's evidence. No secret
 * value is in here: endpoints hold password references, a Secret's previous values stay in its
 * backup Secret (named here), and patch contents are not recorded.
 *
 * @param oldDatabase the database the app was moved away from (the fallback)
 * @param newDatabase the database the app was moved to
 * @param freeze how the old database was frozen, or null when it was not (yet)
 * @param patches the merge patches applied to repoint the app, in the order applied
 * @param command the command run to repoint the app, or null
 * @param app the workload started on the new database, or null
 * @param healthCheck the health check the run used, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SwitchFacts(
    Endpoint oldDatabase,
    Endpoint newDatabase,
    Freeze freeze,
    List<AppliedPatch> patches,
    SwitchCommand command,
    Workload app,
    HealthCheck healthCheck) {

  /** {@link Freeze#mode()} of a freeze that scaled the app to 0. */
  public static final String FREEZE_APP = "app";

  /** {@link Freeze#mode()} of a database-level freeze ({@code default_transaction_read_only}). */
  public static final String FREEZE_READ_ONLY = "read-only";

  /**
   * How the old database was frozen.
   *
   * @param mode {@value #FREEZE_APP} or {@value #FREEZE_READ_ONLY}
   * @param requestId the freeze's request id, recorded on the database (read-only mode)
   * @param alreadyFrozen the database was frozen before the run (read-only mode): not the run's own
   *     freeze to lift
   * @param app the workload that was scaled to 0 (app mode)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Freeze(String mode, String requestId, Boolean alreadyFrozen, Workload app) {}

  /**
   * A Deployment or StatefulSet and the replicas it ran with before the run.
   *
   * @param kind {@code Deployment} or {@code StatefulSet}
   * @param namespace its namespace
   * @param name its name
   * @param replicas the replicas it had before the run (what it runs with on either database)
   * @param timeout ISO-8601 wait for a scale, or null for the default
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Workload(String kind, String namespace, String name, int replicas, String timeout) {

    /** A scale of this workload to {@code to}. */
    public KubeScaleInput scale(int to, String requestId) {
      return new KubeScaleInput(kind, namespace, name, to, timeout, requestId);
    }

    /** {@code namespace/name}. */
    public String describe() {
      return namespace + "/" + name;
    }
  }

  /**
   * A merge patch the run applied, with what undoes it (no patch content, no secret value).
   *
   * @param apiVersion the resource's apiVersion
   * @param kind its kind
   * @param plural its plural when not the usual one, or null
   * @param namespace its namespace
   * @param name its name
   * @param requestId the patch's request id (names a Secret's backup)
   * @param changed whether the patch changed the resource
   * @param touchedPaths the JSON pointers it set or removed
   * @param undoPatch the patch restoring the previous values (not for a Secret)
   * @param backupSecret the backup Secret holding a Secret's previous values, or null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record AppliedPatch(
      String apiVersion,
      String kind,
      String plural,
      String namespace,
      String name,
      String requestId,
      boolean changed,
      List<String> touchedPaths,
      JsonNode undoPatch,
      String backupSecret) {

    /** The facts of a patch that {@code input} made with {@code result}. */
    public static AppliedPatch of(KubePatchInput input, KubePatchResult result) {
      return new AppliedPatch(
          input.apiVersion(),
          input.kind(),
          input.plural(),
          input.namespace(),
          input.name(),
          input.requestId(),
          result.changed(),
          result.touchedPaths() == null ? List.of() : List.copyOf(result.touchedPaths()),
          result.undoPatch() == null || result.undoPatch().isNull() ? null : result.undoPatch(),
          result.backupSecret());
    }

    /** Whether the facts say how to undo the patch. */
    public boolean undoable() {
      return !changed
          || (isSecret() ? backupSecret != null || requestId != null : undoPatch != null);
    }

    /** The patch input that restores what this patch changed. */
    public KubePatchInput undo(String undoRequestId) {
      KubePatchInput original =
          new KubePatchInput(apiVersion, kind, plural, namespace, name, null, null, requestId);
      return original.undo(
          new KubePatchResult(
              apiVersion, kind, namespace, name, changed, touchedPaths, undoPatch, backupSecret),
          undoRequestId);
    }

    boolean isSecret() {
      return "v1".equals(apiVersion) && "Secret".equals(kind);
    }

    /** {@code Kind/namespace/name}. */
    public String describe() {
      return kind + "/" + namespace + "/" + name;
    }
  }

  /**
   * The command that repointed the app.
   *
   * @param argv what was run
   * @param rollbackArgv what undoes it, or null when the run was given none
   * @param timeout its timeout, or null
   * @param workingDir its working directory, or null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record SwitchCommand(
      List<String> argv, List<String> rollbackArgv, String timeout, String workingDir) {}

  /**
   * A health check.
   *
   * @param url the URL that must answer 2xx
   * @param timeout ISO-8601 overall wait, or null
   * @param interval ISO-8601 between attempts, or null
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record HealthCheck(String url, String timeout, String interval) {}

  /** A builder starting from the two databases. */
  public static Builder newBuilder(Endpoint oldDatabase, Endpoint newDatabase) {
    return new Builder(oldDatabase, newDatabase);
  }

  /** Collects the facts as a run makes them (workflow code: plain fields, no I/O). */
  public static final class Builder {
    private final Endpoint oldDatabase;
    private final Endpoint newDatabase;
    private Freeze freeze;
    private final List<AppliedPatch> patches = new ArrayList<>();
    private SwitchCommand command;
    private Workload app;
    private HealthCheck healthCheck;

    private Builder(Endpoint oldDatabase, Endpoint newDatabase) {
      this.oldDatabase = oldDatabase;
      this.newDatabase = newDatabase;
    }

    public Builder freeze(Freeze freeze) {
      this.freeze = freeze;
      return this;
    }

    public Builder patch(AppliedPatch patch) {
      patches.add(patch);
      return this;
    }

    public Builder command(SwitchCommand command) {
      this.command = command;
      return this;
    }

    public Builder app(Workload app) {
      this.app = app;
      return this;
    }

    public Builder healthCheck(HealthCheck healthCheck) {
      this.healthCheck = healthCheck;
      return this;
    }

    public SwitchFacts build() {
      return new SwitchFacts(
          oldDatabase, newDatabase, freeze, List.copyOf(patches), command, app, healthCheck);
    }
  }
}
