package io.signalbox.workflows.gitea;

import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.copy.PostgresCopyInput;
import io.signalbox.workflows.core.ApprovalPolicy;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.InputChecks;
import io.signalbox.workflows.core.RunbookInput;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Input of {@code GiteaDbMigration} (see {@code runbooks/gitea-db-migration/}).
 *
 * @param requestedBy who starts it
 * @param dryRun run the preflight and the copy plan only
 * @param approvals who may open the gates {@code freeze} and {@code switch}
 * @param source the old database (only read, and frozen while copying)
 * @param target the new database (must be empty)
 * @param targetCluster the CloudNativePG cluster serving {@code target}, checked at preflight
 * @param app the application to scale away from the database while copying
 * @param switchTo how the application is pointed at the target ({@code "switch"} in JSON)
 * @param healthCheck how to tell the application works on the target
 * @param copy dump and restore options
 * @param verify verification options
 * @param safetyBackup take a kept dump of the source first (default true)
 */
public record GiteaDbMigrationInput(
    String requestedBy,
    Boolean dryRun,
    ApprovalPolicy approvals,
    Endpoint source,
    Endpoint target,
    Cluster targetCluster,
    App app,
    @com.fasterxml.jackson.annotation.JsonProperty("switch") Switch switchTo,
    HealthCheck healthCheck,
    PostgresCopyInput.CopyOptions copy,
    PostgresCopyInput.VerifyOptions verify,
    Boolean safetyBackup)
    implements RunbookInput {

  /** A CloudNativePG cluster. */
  public record Cluster(String namespace, String name) {}

  /**
   * The application: a Deployment (or StatefulSet) scaled to 0 while copying.
   *
   * @param timeout how long to wait for its pods to go or be ready (default PT5M)
   */
  public record App(String namespace, String deployment, String kind, String timeout) {
    public String kindOrDefault() {
      return kind == null ? "Deployment" : kind;
    }
  }

  /** How the application is pointed at the target. */
  public record Switch(List<Patch> patches, Command command) {}

  /** A JSON merge patch of one named resource. */
  public record Patch(
      String apiVersion,
      String kind,
      String namespace,
      String name,
      String plural,
      JsonNode mergePatch) {}

  /** A command with its undo, e.g. {@code helm upgrade} with the old values. */
  public record Command(
      List<String> argv, List<String> rollbackArgv, String timeout, String workingDir) {}

  /** The application's health endpoint. */
  public record HealthCheck(String url, String timeout, String interval) {}

  public boolean safetyBackupOrDefault() {
    return safetyBackup == null || safetyBackup;
  }

  /**
   * The common problems, and timeouts that the activities waiting for them would cut off ({@link
   * GiteaDbMigrationLimits}).
   */
  @Override
  public List<String> problems() {
    List<String> problems = new ArrayList<>(RunbookInput.super.problems());
    if (app != null) {
      InputChecks.duration(
          "$.app.timeout",
          app.timeout(),
          null,
          GiteaDbMigrationLimits.MAX_APP_TIMEOUT,
          cutOff("scaling", GiteaDbMigrationLimits.KUBERNETES_START_TO_CLOSE),
          problems);
    }
    if (switchTo != null && switchTo.command() != null) {
      InputChecks.duration(
          "$.switch.command.timeout",
          switchTo.command().timeout(),
          null,
          GiteaDbMigrationLimits.MAX_COMMAND_TIMEOUT,
          cutOff("the switch command", GiteaDbMigrationLimits.COMMAND_START_TO_CLOSE),
          problems);
    }
    if (healthCheck != null) {
      Duration timeout =
          InputChecks.duration(
              "$.healthCheck.timeout",
              healthCheck.timeout(),
              GiteaDbMigrationLimits.DEFAULT_HEALTH_TIMEOUT,
              GiteaDbMigrationLimits.MAX_HEALTH_TIMEOUT,
              cutOff("the health check", GiteaDbMigrationLimits.HEALTH_CHECK_START_TO_CLOSE),
              problems);
      Duration interval =
          InputChecks.duration(
              "$.healthCheck.interval",
              healthCheck.interval(),
              GiteaDbMigrationLimits.DEFAULT_HEALTH_INTERVAL,
              GiteaDbMigrationLimits.MAX_HEALTH_INTERVAL,
              "the health check heartbeats once per attempt and is given up after "
                  + GiteaDbMigrationLimits.HEARTBEAT_TIMEOUT
                  + " without one (a request may take "
                  + GiteaDbMigrationLimits.HEALTH_REQUEST_TIMEOUT
                  + "); set a shorter interval",
              problems);
      if (timeout != null && interval != null && interval.compareTo(timeout) > 0) {
        problems.add(
            "$.healthCheck.interval: "
                + interval
                + " is longer than $.healthCheck.timeout "
                + timeout
                + ": the check would try once only; set an interval shorter than the timeout");
      }
    }
    return problems;
  }

  private static String cutOff(String what, Duration limit) {
    return what
        + " is cut off after "
        + limit
        + " and needs "
        + GiteaDbMigrationLimits.MARGIN
        + " of that for its own calls; set a shorter timeout";
  }
}
