package io.signalbox.workflows.core;

import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * The typed search attributes a run shows in the Temporal UI's run list and that {@code signalbox
 * list} filters on (e.g. {@code SignalboxPhase="WAITING_FOR_APPROVAL"}), next to the {@code status}
 * query. A run upserts them only when the server has them registered, as the worker found at
 * start-up and answered once through {@link InputActivities#registeredSearchAttributes} (recorded
 * in history), and only the values that changed.
 */
public final class RunSearchAttributes {
  private static final Logger log = Workflow.getLogger(RunSearchAttributes.class);

  /** The workflow type, e.g. {@code GiteaDbMigration}. */
  public static final SearchAttributeKey<String> RUNBOOK =
      SearchAttributeKey.forKeyword("SignalboxRunbook");

  /** The {@link Phase}, e.g. {@code WAITING_FOR_APPROVAL}. */
  public static final SearchAttributeKey<String> PHASE =
      SearchAttributeKey.forKeyword("SignalboxPhase");

  /** The current (or last) step. */
  public static final SearchAttributeKey<String> STEP =
      SearchAttributeKey.forKeyword("SignalboxStep");

  /** The gate the run waits at; unset when none is open. */
  public static final SearchAttributeKey<String> PENDING_GATE =
      SearchAttributeKey.forKeyword("SignalboxPendingGate");

  /** Who started the run. */
  public static final SearchAttributeKey<String> REQUESTED_BY =
      SearchAttributeKey.forKeyword("SignalboxRequestedBy");

  /** Every one of them: all keywords, registered together. */
  public static final List<SearchAttributeKey<String>> ALL =
      List.of(RUNBOOK, PHASE, STEP, PENDING_GATE, REQUESTED_BY);

  /** The change id under which runs started since search attributes ask whether to upsert. */
  static final String CHANGE_ID = "search-attributes";

  private final Map<String, String> shown = new HashMap<>();
  private boolean enabled;

  /** The names of {@link #ALL}. */
  public static List<String> names() {
    return ALL.stream().map(SearchAttributeKey::getName).toList();
  }

  /**
   * Decides once, at the start of the run, whether it upserts: runs recorded before this existed
   * replay without it, and a worker that cannot answer (or a server without the attributes) means
   * no.
   */
  void decide(InputActivities worker) {
    if (Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return;
    }
    try {
      InputActivities.SearchAttributesAnswer answer =
          worker.registeredSearchAttributes(new InputActivities.SearchAttributesRequest(names()));
      enabled =
          answer != null && answer.registered() != null && answer.registered().containsAll(names());
    } catch (ActivityFailure failure) {
      // Without an answer the run goes on, without search attributes.
      enabled = false;
    }
    if (!enabled) {
      log.info("search attributes {} not registered: the run does not upsert them", names());
    }
  }

  /** Whether this run upserts its search attributes. */
  boolean enabled() {
    return enabled;
  }

  /** Upserts the values that changed since the last call; nothing when not {@link #enabled}. */
  void show(String runbook, Phase phase, String step, String pendingGate, String requestedBy) {
    if (!enabled) {
      return;
    }
    List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
    change(updates, RUNBOOK, runbook);
    change(updates, PHASE, phase == null ? null : phase.name());
    change(updates, STEP, step);
    change(updates, PENDING_GATE, pendingGate);
    change(updates, REQUESTED_BY, requestedBy);
    if (!updates.isEmpty()) {
      Workflow.upsertTypedSearchAttributes(updates.toArray(SearchAttributeUpdate<?>[]::new));
    }
  }

  private void change(
      List<SearchAttributeUpdate<?>> updates, SearchAttributeKey<String> key, String value) {
    String cut = Limits.cut(value, Limits.NAME);
    String name = key.getName();
    boolean unchanged =
        shown.containsKey(name) ? Objects.equals(shown.get(name), cut) : cut == null;
    if (unchanged) {
      return;
    }
    shown.put(name, cut);
    updates.add(cut == null ? key.valueUnset() : key.valueSet(cut));
  }
}
