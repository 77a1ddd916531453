package io.signalbox.activities.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.workflows.core.RunbookResult;
import io.signalbox.workflows.core.StoredReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Puts the whole reports back into a result for its evidence: every object of {@code
 * result.verification} with a {@code fullReport} reference (a bounded verification report, a backup
 * verification and its {@code restore}, a cutover's rehearsal) gets the stored report's {@code
 * tables}, {@code sequenceProblems} and {@code schemaDifferences} in place of the bounded ones,
 * once the stored report's SHA-256 equals the digest the run recorded. The reference then says what
 * was found: {@code verified} and a {@code check} line for people. A report that is missing or
 * whose digest differs is not used, and the check says so plainly.
 */
public final class FullReports {

  /** The lists a bounded report cuts short. */
  static final List<String> LISTS = List.of("tables", "sequenceProblems", "schemaDifferences");

  private FullReports() {}

  /** The result with every referenced report filled in; the result itself when there is none. */
  public static RunbookResult expand(RunbookResult result, ReportStore store) {
    if (result == null || result.verification() == null || store == null) {
      return result;
    }
    JsonNode v = result.verification().deepCopy();
    boolean[] any = {false};
    forEachReference(
        v,
        holder -> {
          any[0] = true;
          fill(holder, store);
        });
    if (!any[0]) {
      return result;
    }
    return new RunbookResult(
        result.outcome(),
        result.runbook(),
        result.evidenceId(),
        v,
        result.plan(),
        result.steps(),
        result.approvals(),
        result.failureType(),
        result.message(),
        result.dryRun(),
        result.requestedBy(),
        result.rtoSeconds(),
        result.switched(),
        result.notifications());
  }

  /** Calls {@code action} with every object in {@code node} that holds a {@code fullReport}. */
  public static void forEachReference(JsonNode node, Consumer<ObjectNode> action) {
    if (node == null) {
      return;
    }
    if (node.isObject()) {
      if (node.path("fullReport").isObject()) {
        action.accept((ObjectNode) node);
      }
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      node.fields().forEachRemaining(fields::add);
      for (Map.Entry<String, JsonNode> f : fields) {
        if (!f.getKey().equals("fullReport") && !LISTS.contains(f.getKey())) {
          forEachReference(f.getValue(), action);
        }
      }
    } else if (node.isArray()) {
      node.forEach(e -> forEachReference(e, action));
    }
  }

  /**
   * The reference of a holder as a record (the evidence adds {@code verified} and {@code check} to
   * it, which the record does not have), or null when it names no run and report.
   */
  public static StoredReport reference(ObjectNode holder) {
    JsonNode ref = holder.path("fullReport");
    StoredReport r =
        new StoredReport(
            ref.path("workflowId").asText(null),
            ref.path("runId").asText(null),
            ref.path("name").asText(null),
            ref.path("sha256").asText(null),
            ref.path("store").asText(null));
    return r.workflowId() == null || r.runId() == null || r.name() == null ? null : r;
  }

  private static void fill(ObjectNode holder, ReportStore store) {
    ObjectNode refNode = (ObjectNode) holder.get("fullReport");
    StoredReport ref = reference(holder);
    // A database that cannot be read throws: Temporal retries, as down is not missing.
    Optional<ReportStore.Loaded> loaded = ref == null ? Optional.empty() : store.get(ref);
    if (loaded.isEmpty()) {
      refNode.put("verified", false);
      refNode.put(
          "check",
          "NOT FOUND: the full report "
              + (ref == null ? "" : ref.name() + " of " + ref.evidenceId() + " ")
              + "is not in the evidence store"
              + (ref != null && ReportStore.FILE.equals(ref.store())
                  ? " (it was written as a file on the worker that verified)"
                  : "")
              + "; only the first rows the run carried are shown");
      return;
    }
    ReportStore.Loaded l = loaded.get();
    if (!l.matches()) {
      refNode.put("verified", false);
      refNode.put(
          "check",
          "DIGEST MISMATCH: the stored report's SHA-256 is "
              + l.sha256()
              + " but the run recorded "
              + ref.sha256()
              + "; it was changed after the verification and is not shown, only the first rows"
              + " the run carried");
      return;
    }
    for (String list : LISTS) {
      if (holder.has(list) && l.report().has(list)) {
        holder.set(list, l.report().get(list));
      }
    }
    if (holder.has("moreTables")) {
      holder.put("moreTables", 0);
    }
    refNode.put("verified", true);
    refNode.put(
        "check",
        "SHA-256 matches: all "
            + l.report().path("tables").size()
            + " tables of the full report are shown");
  }
}
