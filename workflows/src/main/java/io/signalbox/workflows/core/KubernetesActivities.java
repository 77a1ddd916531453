package io.signalbox.workflows.core;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.activity.ActivityInterface;
import java.util.List;
import java.util.Locale;

/**
 * What Signalbox asks of the Kubernetes API: the health of a CloudNativePG cluster, the state of a
 * Deployment, scaling a Deployment or StatefulSet and waiting for it, and JSON merge patches with
 * an exact undo. Activity type names carry the prefix {@code Kubernetes} ({@code
 * KubernetesClusterHealth}, {@code KubernetesScale}, …).
 *
 * <p>Every method takes one record and returns one record. Failures use {@link FailureType}: a
 * resource that is not there, or that the worker may not read or change, is {@code
 * PreconditionFailed} naming it (non-retryable); bad input is {@code InvalidInput}; an API server
 * that cannot be reached, or a wait that timed out, is retryable and left to the activity's retry
 * policy. Secret values never leave the worker: no result, heartbeat or message contains one.
 *
 * <p>{@link #scale} and {@link #mergePatch} change things and are idempotent under retries: each
 * takes a {@code requestId} (make it with {@code Workflow.randomUUID()}) and an attempt that finds
 * its own earlier attempt's work reports the state from before that first attempt, so the undo
 * restores what was there before the step.
 */
@ActivityInterface(namePrefix = "Kubernetes")
public interface KubernetesActivities {

  /** Kinds {@link #scale} accepts. */
  List<String> SCALABLE_KINDS = List.of("Deployment", "StatefulSet");

  /**
   * A CloudNativePG {@code Cluster} ({@code postgresql.cnpg.io/v1}).
   *
   * @param namespace its namespace, e.g. {@code databases}
   * @param name its name, e.g. {@code gitea-db}
   */
  record KubeClusterHealthInput(String namespace, String name) {}

  /**
   * The health of a CloudNativePG cluster as its operator reports it.
   *
   * @param namespace the cluster's namespace
   * @param name the cluster's name
   * @param phase {@code status.phase}, e.g. {@code Cluster in healthy state}; null when not
   *     reported
   * @param instances the desired instances ({@code spec.instances})
   * @param readyInstances the ready instances ({@code status.readyInstances})
   * @param currentPrimary the primary's pod name ({@code status.currentPrimary}), or null
   * @param healthy the phase is {@link #HEALTHY_PHASE} and every desired instance is ready
   * @param reason one line for an operator saying why it is (not) healthy
   */
  record KubeClusterHealth(
      String namespace,
      String name,
      String phase,
      int instances,
      int readyInstances,
      String currentPrimary,
      boolean healthy,
      String reason) {

    /** The phase CloudNativePG reports for a cluster that needs nothing. */
    public static final String HEALTHY_PHASE = "Cluster in healthy state";
  }

  /**
   * Scale a workload and wait for it.
   *
   * @param kind {@code Deployment} or {@code StatefulSet}
   * @param namespace its namespace
   * @param name its name
   * @param replicas the replicas wanted (0 or more)
   * @param timeout ISO-8601 duration to wait for the pods to go (0) or to be ready (default PT5M);
   *     keep it below the activity's start-to-close timeout
   * @param requestId identifies this change across retries ({@code Workflow.randomUUID()})
   */
  record KubeScaleInput(
      String kind, String namespace, String name, int replicas, String timeout, String requestId) {

    /** The input that restores what a scale changed, for the undo. */
    public KubeScaleInput undo(KubeScaleResult result, String undoRequestId) {
      return new KubeScaleInput(
          kind, namespace, name, result.previousReplicas(), timeout, undoRequestId);
    }
  }

  /**
   * A scale that reached its replicas.
   *
   * @param kind the workload's kind
   * @param namespace its namespace
   * @param name its name
   * @param previousReplicas {@code spec.replicas} before this request's first attempt: what the
   *     undo scales back to
   * @param replicas the replicas now wanted
   * @param changed whether this call changed {@code spec.replicas} (false when it already was)
   * @param readyReplicas the ready replicas when the wait ended
   * @param waitedMillis how long the wait took
   */
  record KubeScaleResult(
      String kind,
      String namespace,
      String name,
      int previousReplicas,
      int replicas,
      boolean changed,
      int readyReplicas,
      long waitedMillis) {}

  /**
   * A JSON merge patch (RFC 7386) for one named, namespaced resource.
   *
   * <p>Exactly one of {@code mergePatch} and {@code restoreFromBackup} is set. {@code
   * restoreFromBackup} names a backup Secret made by an earlier patch of a Secret (see {@link
   * #mergePatch}); the patch applied is the one stored in it.
   *
   * @param apiVersion e.g. {@code v1}, {@code apps/v1}, {@code postgresql.cnpg.io/v1}
   * @param kind e.g. {@code Secret}, {@code ConfigMap}, {@code Deployment}
   * @param plural the resource's plural name when it is not the usual English plural of the kind
   *     (needed for some custom resources), or null
   * @param namespace the resource's namespace
   * @param name the resource's name
   * @param mergePatch the patch: a JSON object; {@code null} members remove fields
   * @param restoreFromBackup the name of a backup Secret to restore from, or null
   * @param requestId identifies this change across retries ({@code Workflow.randomUUID()}); it
   *     names the backup of a Secret
   */
  record KubePatchInput(
      String apiVersion,
      String kind,
      String plural,
      String namespace,
      String name,
      JsonNode mergePatch,
      String restoreFromBackup,
      String requestId) {

    /**
     * The backup Secret a patch of Secret {@code name} with {@code requestId} writes, so a workflow
     * can register the undo before it calls the step (the undo tolerates a backup that was never
     * written). Names longer than a Kubernetes name allows are shortened, keeping the request id.
     */
    public static String backupName(String name, String requestId) {
      String suffix = "-signalbox-backup-" + requestId.toLowerCase(Locale.ROOT);
      String base =
          name.length() + suffix.length() > 253 ? name.substring(0, 253 - suffix.length()) : name;
      return base + suffix;
    }

    /** Whether the target is a core {@code v1} Secret, whose previous values go to a backup. */
    public boolean targetsSecret() {
      return "v1".equals(apiVersion) && "Secret".equals(kind);
    }

    /**
     * The input that undoes a patch this input made: its undo patch, or for a Secret a restore from
     * its backup.
     */
    public KubePatchInput undo(KubePatchResult result, String undoRequestId) {
      if (targetsSecret()) {
        // A patch that changed nothing wrote no backup: restoring from it is then a no-op.
        String backup =
            result.backupSecret() != null ? result.backupSecret() : backupName(name, requestId);
        return new KubePatchInput(
            apiVersion, kind, plural, namespace, name, null, backup, undoRequestId);
      }
      return new KubePatchInput(
          apiVersion, kind, plural, namespace, name, result.undoPatch(), null, undoRequestId);
    }
  }

  /**
   * What a merge patch did, and how to undo it.
   *
   * @param apiVersion the resource's apiVersion
   * @param kind its kind
   * @param namespace its namespace
   * @param name its name
   * @param changed whether the resource changed (false when the patch was already in effect)
   * @param touchedPaths JSON pointers of the fields the patch sets or removes (names, no values)
   * @param undoPatch a merge patch restoring exactly the touched fields as they were before this
   *     request's first attempt (a field that was absent is removed with {@code null}); null (a
   *     JSON null after conversion) for a Secret, whose previous values stay in {@code
   *     backupSecret}
   * @param backupSecret for a Secret: the backup Secret, in the same namespace, that holds the undo
   *     patch; null when nothing was changed or for other kinds
   */
  record KubePatchResult(
      String apiVersion,
      String kind,
      String namespace,
      String name,
      boolean changed,
      List<String> touchedPaths,
      JsonNode undoPatch,
      String backupSecret) {}

  /**
   * A workload to read.
   *
   * @param kind {@code Deployment} (the default when null) or {@code StatefulSet}
   * @param namespace its namespace
   * @param name its name
   */
  record KubeDeploymentStatusInput(String kind, String namespace, String name) {}

  /**
   * The state of a Deployment or StatefulSet.
   *
   * @param kind its kind
   * @param namespace its namespace
   * @param name its name
   * @param replicas desired replicas ({@code spec.replicas})
   * @param readyReplicas ready replicas ({@code status.readyReplicas})
   * @param updatedReplicas replicas running the current template ({@code status.updatedReplicas})
   * @param images the image of each container of the pod template, in order
   * @param selector the pod selector's match labels as {@code k=v,…}
   */
  record KubeDeploymentStatus(
      String kind,
      String namespace,
      String name,
      int replicas,
      int readyReplicas,
      int updatedReplicas,
      List<String> images,
      String selector) {}

  /**
   * The health of a CloudNativePG {@code Cluster}; read-only. Fails with {@code PreconditionFailed}
   * naming namespace/name when the cluster does not exist (or CloudNativePG is not installed).
   */
  KubeClusterHealth clusterHealth(KubeClusterHealthInput input);

  /**
   * Sets a Deployment's or StatefulSet's replicas and waits, heartbeating what it waits for, until
   * its pods are gone (0: no pod matches its selector and {@code status.replicas} is 0) or ready
   * ({@code status.readyReplicas} and {@code status.updatedReplicas} at least the replicas).
   * Scaling to the current replicas is success. Returns the replicas it had before, for the undo
   * ({@link KubeScaleInput#undo}). A wait that runs out fails retryably, saying what it still waits
   * for; a missing workload is {@code PreconditionFailed}.
   */
  KubeScaleResult scale(KubeScaleInput input);

  /**
   * Applies a JSON merge patch to a named resource of any kind and returns how to undo it exactly.
   *
   * <p>For every kind but Secret the result carries {@code undoPatch}: the previous value of each
   * field the patch touches, {@code null} for a field that was absent. Undo with another call given
   * {@link KubePatchInput#undo}.
   *
   * <p>A Secret's previous values must not go through workflow history, so for a Secret the undo
   * patch is written, before the Secret is changed, to a backup Secret {@link
   * KubePatchInput#backupName} in the same namespace (labelled {@code signalbox.io/backup=true},
   * annotated {@code signalbox.io/backup-of} with the Secret's name); the result names it and holds
   * no value. The undo is a call with {@code restoreFromBackup}: it applies the stored patch (a
   * backup that does not exist means the patch never happened, and the restore changes nothing).
   * Backups are kept for the operator to delete (a restore is itself a patch of the Secret and
   * leaves its own backup, of the values it replaced). {@code stringData} in a Secret patch is
   * applied as {@code data}, so its undo is exact.
   *
   * <p>A missing resource is {@code PreconditionFailed} naming it; a patch that is not an object,
   * or that touches apiVersion, kind, name or namespace, is {@code InvalidInput}.
   */
  KubePatchResult mergePatch(KubePatchInput input);

  /** The replicas, ready replicas and images of a Deployment or StatefulSet; read-only. */
  KubeDeploymentStatus deploymentStatus(KubeDeploymentStatusInput input);
}
