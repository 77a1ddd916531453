package io.signalbox.activities.kubernetes;

import static io.signalbox.activities.kubernetes.KubeApi.call;
import static io.signalbox.activities.kubernetes.KubeInputs.duration;
import static io.signalbox.activities.kubernetes.KubeInputs.requestId;
import static io.signalbox.activities.kubernetes.KubeInputs.required;
import static io.signalbox.activities.kubernetes.KubeInputs.scalableKind;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.signalbox.activities.kubernetes.KubernetesActivitiesImpl.ScaleHeartbeat;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.KubernetesActivities.KubeDeploymentStatus;
import io.signalbox.workflows.core.KubernetesActivities.KubeDeploymentStatusInput;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleInput;
import io.signalbox.workflows.core.KubernetesActivities.KubeScaleResult;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deployments and StatefulSets: their status, and scaling them with a wait until the controller and
 * the pods have followed. Part of {@link KubernetesActivitiesImpl}; idempotency through the {@link
 * ScaleHeartbeat} (see there).
 */
final class WorkloadScaler {
  private static final Logger log = LoggerFactory.getLogger(KubernetesActivitiesImpl.class);

  static final Duration DEFAULT_SCALE_TIMEOUT = Duration.ofMinutes(5);

  private final KubernetesClient client;
  private final Duration pollEvery;

  WorkloadScaler(KubernetesClient client, Duration pollEvery) {
    this.client = client;
    this.pollEvery = pollEvery;
  }

  KubeDeploymentStatus deploymentStatus(KubeDeploymentStatusInput input) {
    if (input == null) {
      throw FailureType.INVALID_INPUT.failure("deploymentStatus: no input");
    }
    String kind = scalableKind(input.kind() == null ? "Deployment" : input.kind());
    String namespace = required("namespace", input.namespace());
    String name = required("name", input.name());
    String what = kind + " " + namespace + "/" + name;
    Workload w = Workload.of(call(what, "get", false, () -> workload(kind, namespace, name).get()));
    if (w == null) {
      throw FailureType.PRECONDITION_FAILED.failure(what + " not found");
    }
    return new KubeDeploymentStatus(
        kind,
        namespace,
        name,
        w.specReplicas(),
        w.readyReplicas(),
        w.updatedReplicas(),
        w.images(),
        describe(w.selector()));
  }

  KubeScaleResult scale(KubeScaleInput input) {
    if (input == null) {
      throw FailureType.INVALID_INPUT.failure("scale: no input");
    }
    String kind = scalableKind(input.kind());
    String namespace = required("namespace", input.namespace());
    String name = required("name", input.name());
    String requestId = requestId(input.requestId());
    int wanted = input.replicas();
    if (wanted < 0) {
      throw FailureType.INVALID_INPUT.failure("scale.replicas: must be 0 or more, got " + wanted);
    }
    Duration timeout = duration("scale.timeout", input.timeout(), DEFAULT_SCALE_TIMEOUT);
    String what = kind + " " + namespace + "/" + name;
    ActivityExecutionContext context = Activity.getExecutionContext();
    Resource<? extends HasMetadata> resource = workload(kind, namespace, name);

    Workload found = Workload.of(call(what, "get", false, resource::get));
    if (found == null) {
      throw FailureType.PRECONDITION_FAILED.failure(what + " not found");
    }
    int current = found.specReplicas();
    int previous =
        context
            .getHeartbeatDetails(ScaleHeartbeat.class)
            .filter(h -> requestId.equals(h.requestId()))
            .map(ScaleHeartbeat::previousReplicas)
            .orElse(current);
    // Recorded before the change, so an attempt that dies after it still tells the next attempt
    // what to restore (by then spec.replicas already says the new number).
    context.heartbeat(
        new ScaleHeartbeat(
            requestId,
            previous,
            "setting replicas of " + what + " from " + current + " to " + wanted));
    boolean changed = current != wanted;
    if (changed) {
      String patch = "{\"spec\":{\"replicas\":" + wanted + "}}";
      call(
          what, "patch", false, () -> resource.patch(PatchContext.of(PatchType.JSON_MERGE), patch));
      log.info(
          "{}: replicas {} -> {} (request {}, before the request: {})",
          what,
          current,
          wanted,
          requestId,
          previous);
    } else {
      log.info("{}: already at {} replicas (request {})", what, wanted, requestId);
    }

    long start = System.nanoTime();
    while (true) {
      Workload now = Workload.of(call(what, "get", false, resource::get));
      if (now == null) {
        throw FailureType.PRECONDITION_FAILED.failure(
            what + " disappeared while waiting for it to reach " + wanted + " replicas");
      }
      String waitingFor = waitingFor(now, wanted, namespace);
      long waited = Duration.ofNanos(System.nanoTime() - start).toMillis();
      if (waitingFor == null) {
        log.info("{}: {} replicas reached after {} ms", what, wanted, waited);
        return new KubeScaleResult(
            kind, namespace, name, previous, wanted, changed, now.readyReplicas(), waited);
      }
      // Throws when the activity is cancelled or the worker lost its heartbeat: let it through.
      context.heartbeat(new ScaleHeartbeat(requestId, previous, waitingFor));
      long left = timeout.toMillis() - waited;
      if (left <= 0) {
        // Retryable: the workflow's retry policy decides whether to wait longer.
        throw FailureType.TRANSIENT.failure(
            what
                + ": replicas set to "
                + wanted
                + " but after "
                + timeout
                + " still waiting for "
                + waitingFor);
      }
      sleep(Math.min(left, pollEvery.toMillis()));
    }
  }

  /** What the wait still waits for, or null when the workload has reached {@code wanted}. */
  private String waitingFor(Workload w, int wanted, String namespace) {
    if (w.generation() != null
        && w.observedGeneration() != null
        && w.observedGeneration() < w.generation()) {
      return "the controller to observe generation "
          + w.generation()
          + " (observed "
          + w.observedGeneration()
          + ")";
    }
    if (wanted == 0) {
      if (w.statusReplicas() > 0) {
        return "status.replicas " + w.statusReplicas() + " to reach 0";
      }
      LabelSelector selector = w.selector();
      if (selectsSomething(selector)) {
        int pods =
            call(
                    "pods of " + w.describe(),
                    "list",
                    false,
                    () -> client.pods().inNamespace(namespace).withLabelSelector(selector).list())
                .getItems()
                .size();
        if (pods > 0) {
          return pods + " pod(s) matching " + describe(selector) + " to go away";
        }
      }
      return null;
    }
    if (w.readyReplicas() < wanted || w.updatedReplicas() < wanted) {
      return "readyReplicas "
          + w.readyReplicas()
          + "/"
          + wanted
          + ", updatedReplicas "
          + w.updatedReplicas()
          + "/"
          + wanted;
    }
    return null;
  }

  private Resource<? extends HasMetadata> workload(String kind, String namespace, String name) {
    return "Deployment".equals(kind)
        ? client.apps().deployments().inNamespace(namespace).withName(name)
        : client.apps().statefulSets().inNamespace(namespace).withName(name);
  }

  private static boolean selectsSomething(LabelSelector selector) {
    return selector != null
        && ((selector.getMatchLabels() != null && !selector.getMatchLabels().isEmpty())
            || (selector.getMatchExpressions() != null
                && !selector.getMatchExpressions().isEmpty()));
  }

  static String describe(LabelSelector selector) {
    if (selector == null || selector.getMatchLabels() == null) {
      return "";
    }
    return new TreeMap<>(selector.getMatchLabels())
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureType.TRANSIENT.failure("interrupted while waiting");
    }
  }
}
