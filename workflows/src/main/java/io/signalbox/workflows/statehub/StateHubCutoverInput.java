package io.signalbox.workflows.statehub;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.signalbox.workflows.copy.PostgresCopyInput;
import io.signalbox.workflows.core.ApprovalPolicy;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.InputChecks;
import io.signalbox.workflows.core.RunbookInput;
import io.signalbox.workflows.core.SecretRef;
import io.signalbox.workflows.gitea.GiteaDbMigrationInput;
import io.signalbox.workflows.gitea.GiteaDbMigrationLimits;
import io.signalbox.workflows.migration.SwitchFacts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Input of {@code StateHubCutover} (see {@code runbooks/state-hub-cutover/}). The switch, the
 * health check and the source-side app have the shapes {@code GiteaDbMigration} takes.
 *
 * @param requestedBy who starts it
 * @param dryRun run the read-only checks and the copy plan only
 * @param approvals who may open the gates {@code freeze} and {@code cutover}
 * @param source the database the app uses today (only read; frozen from gate {@code freeze} on, and
 *     after success kept frozen as the fallback)
 * @param target the database that becomes the primary (empty, or holding the schema the app's
 *     migrations made)
 * @param sourceFreeze how writes to the source stop: {@code {"mode": "read-only"}} (the default) or
 *     an {@code app} to scale to 0
 * @param app the cluster-side deployment that serves the target, scaled up after the final copy
 * @param switchTo how clients are pointed at the target ({@code "switch"} in JSON)
 * @param healthCheck how to tell the app answers on the target
 * @param backupFreshness how recent a successful {@code BackupVerification} of the source must be
 *     (ISO-8601, default {@code P30D})
 * @param backupName the name the source's verifications are recorded under (default {@code
 *     <database>@<host>})
 * @param backupScratch the server on which a {@code BackupVerification} restores when the last
 *     success is too old; without it the run stops there
 * @param maxRestoreTime that verification's limit (default {@code PT1H})
 * @param schemaTables tables whose rows belong to the schema (the migration tool's version table):
 *     compared with the schema and replaced by the copy (default {@code public.alembic_version})
 * @param copy dump and restore options of both copies
 * @param verify verification options of both copies
 */
public record StateHubCutoverInput(
    String requestedBy,
    Boolean dryRun,
    ApprovalPolicy approvals,
    Endpoint source,
    Target target,
    SourceFreeze sourceFreeze,
    App app,
    @JsonProperty("switch") GiteaDbMigrationInput.Switch switchTo,
    GiteaDbMigrationInput.HealthCheck healthCheck,
    String backupFreshness,
    String backupName,
    Endpoint backupScratch,
    String maxRestoreTime,
    List<String> schemaTables,
    PostgresCopyInput.CopyOptions copy,
    PostgresCopyInput.VerifyOptions verify)
    implements RunbookInput {

  /** The default version table of an Alembic-managed schema. */
  public static final String ALEMBIC_VERSION = "public.alembic_version";

  /**
   * The target endpoint, and whether to drop what is there.
   *
   * @param reset drop every object in the target and restore the source's schema and rows, instead
   *     of loading rows into the schema the app's migrations made (default false)
   */
  public record Target(
      String host,
      Integer port,
      String database,
      String user,
      SecretRef password,
      String sslmode,
      Boolean allowNonEmpty,
      Boolean reset) {

    public Endpoint endpoint() {
      return new Endpoint(host, port, database, user, password, sslmode, allowNonEmpty);
    }

    public boolean resetOrDefault() {
      return Boolean.TRUE.equals(reset);
    }
  }

  /**
   * How writes to the source stop.
   *
   * @param mode {@code read-only}: {@code default_transaction_read_only} on the database and its
   *     other sessions ended
   * @param app instead: the source-side app to scale to 0 (scaled back on failure)
   */
  public record SourceFreeze(String mode, GiteaDbMigrationInput.App app) {}

  /**
   * The cluster-side app.
   *
   * @param replicas how many to run after the switch (default 1)
   * @param timeout how long to wait for its pods (default PT5M)
   */
  public record App(
      String namespace, String deployment, String kind, String timeout, Integer replicas) {
    public String kindOrDefault() {
      return kind == null ? "Deployment" : kind;
    }

    /** The workload at {@code replicas} (default 1). */
    public SwitchFacts.Workload workload() {
      return new SwitchFacts.Workload(
          kindOrDefault(), namespace, deployment, replicas == null ? 1 : replicas, timeout);
    }
  }

  /** The name the source's verifications are recorded under. */
  public String backupNameOrDefault() {
    return backupName != null ? backupName : source.database() + "@" + source.host();
  }

  /** {@link #backupFreshness} as a duration (validated by {@link #problems()}). */
  public Duration backupFreshnessOrDefault() {
    return backupFreshness == null ? Duration.ofDays(30) : Duration.parse(backupFreshness);
  }

  public List<String> schemaTablesOrDefault() {
    return schemaTables == null ? List.of(ALEMBIC_VERSION) : schemaTables;
  }

  public PostgresCopyInput.CopyOptions copyOrDefault() {
    return copy == null ? new PostgresCopyInput.CopyOptions(null, null, null, null, null) : copy;
  }

  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>(RunbookInput.super.problems());
    InputChecks.duration(
        "$.backupFreshness",
        backupFreshness,
        null,
        Duration.ofDays(3650),
        "give a period of at most ten years",
        problems);
    if (copy != null
        && (copy.dataOnly() != null
            || copy.replaceTables() != null
            || copy.resetTarget() != null)) {
      problems.add(
          "$.copy: dataOnly, replaceTables and resetTarget are set by the runbook itself; use"
              + " target.reset and schemaTables instead");
    }
    if (app != null) {
      InputChecks.duration(
          "$.app.timeout",
          app.timeout(),
          null,
          GiteaDbMigrationLimits.MAX_APP_TIMEOUT,
          "scaling is cut off after " + GiteaDbMigrationLimits.KUBERNETES_START_TO_CLOSE,
          problems);
    }
    if (sourceFreeze != null && sourceFreeze.app() != null) {
      InputChecks.duration(
          "$.sourceFreeze.app.timeout",
          sourceFreeze.app().timeout(),
          null,
          GiteaDbMigrationLimits.MAX_APP_TIMEOUT,
          "scaling is cut off after " + GiteaDbMigrationLimits.KUBERNETES_START_TO_CLOSE,
          problems);
    }
    if (healthCheck != null) {
      InputChecks.duration(
          "$.healthCheck.timeout",
          healthCheck.timeout(),
          null,
          GiteaDbMigrationLimits.MAX_HEALTH_TIMEOUT,
          "the health check is cut off after " + GiteaDbMigrationLimits.HEALTH_CHECK_START_TO_CLOSE,
          problems);
    }
    return problems;
  }
}
