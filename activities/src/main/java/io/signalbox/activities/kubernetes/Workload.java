package io.signalbox.activities.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.List;

/** The fields of a Deployment or StatefulSet the activities read, with Kubernetes' defaults. */
record Workload(
    HasMetadata object,
    Integer replicas,
    Integer status,
    Integer ready,
    Integer updated,
    Long observedGeneration,
    LabelSelector selector,
    PodTemplateSpec template) {

  static Workload of(HasMetadata o) {
    if (o instanceof Deployment d) {
      var s = d.getStatus();
      return new Workload(
          d,
          d.getSpec() == null ? null : d.getSpec().getReplicas(),
          s == null ? null : s.getReplicas(),
          s == null ? null : s.getReadyReplicas(),
          s == null ? null : s.getUpdatedReplicas(),
          s == null ? null : s.getObservedGeneration(),
          d.getSpec() == null ? null : d.getSpec().getSelector(),
          d.getSpec() == null ? null : d.getSpec().getTemplate());
    }
    if (o instanceof StatefulSet d) {
      var s = d.getStatus();
      return new Workload(
          d,
          d.getSpec() == null ? null : d.getSpec().getReplicas(),
          s == null ? null : s.getReplicas(),
          s == null ? null : s.getReadyReplicas(),
          s == null ? null : s.getUpdatedReplicas(),
          s == null ? null : s.getObservedGeneration(),
          d.getSpec() == null ? null : d.getSpec().getSelector(),
          d.getSpec() == null ? null : d.getSpec().getTemplate());
    }
    return null;
  }

  /** {@code spec.replicas}; Kubernetes defaults it to 1. */
  int specReplicas() {
    return replicas == null ? 1 : replicas;
  }

  int statusReplicas() {
    return status == null ? 0 : status;
  }

  int readyReplicas() {
    return ready == null ? 0 : ready;
  }

  int updatedReplicas() {
    return updated == null ? 0 : updated;
  }

  Long generation() {
    return object.getMetadata().getGeneration();
  }

  List<String> images() {
    if (template == null || template.getSpec() == null) {
      return List.of();
    }
    return template.getSpec().getContainers().stream().map(Container::getImage).toList();
  }

  String describe() {
    return object.getKind()
        + " "
        + object.getMetadata().getNamespace()
        + "/"
        + object.getMetadata().getName();
  }
}
