package io.signalbox.workflows.rollback;

import io.signalbox.workflows.migration.SwitchFacts;
import io.signalbox.workflows.rollback.CarryOverActivities.LeftBehind;
import io.signalbox.workflows.rollback.RollbackEvidenceActivities.RecordedRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The rollback's gate report and its one-line description of a recorded switch. */
final class RollbackReports {

  private RollbackReports() {}

  static Map<String, Object> gateReport(
      RollbackInput in, RecordedRun run, SwitchFacts f, LeftBehind left) {
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("rollbackOf", run.evidenceId());
    report.put("runbook", run.runbook());
    report.put("completedAt", run.endedAt());
    report.put("oldDatabase", f.oldDatabase().describe());
    report.put("newDatabase", f.newDatabase().describe());
    report.put("switch", describeSwitch(f));
    report.put("carryOver", in.carryOverOrDefault());
    report.put("summary", left.summary());
    report.put("leftBehind", left);
    List<String> steps = new ArrayList<>();
    steps.add(
        f.app() != null
            ? "scale " + f.app().describe() + " to 0"
            : "make " + f.newDatabase().database() + " read-only and end its sessions");
    if (in.carryOverOrDefault()) {
      steps.add("carry rows only on the new database over to the old one");
    }
    if (f.command() != null) {
      steps.add("run " + String.join(" ", f.command().rollbackArgv()));
    }
    List<SwitchFacts.AppliedPatch> patches = f.patches() == null ? List.of() : f.patches();
    for (int i = patches.size() - 1; i >= 0; i--) {
      steps.add("restore " + patches.get(i).describe() + " as before the switch");
    }
    if (SwitchFacts.FREEZE_READ_ONLY.equals(f.freeze().mode())) {
      steps.add("lift the read-only freeze of " + f.oldDatabase().database());
    }
    if (f.app() != null) {
      steps.add("scale " + f.app().describe() + " to " + f.app().replicas());
    }
    if (f.healthCheck() != null) {
      steps.add("health check " + f.healthCheck().url());
    }
    report.put("steps", steps);
    return report;
  }

  static String describeSwitch(SwitchFacts f) {
    List<String> parts = new ArrayList<>();
    if (f.patches() != null) {
      f.patches().forEach(p -> parts.add("patched " + p.describe()));
    }
    if (f.command() != null) {
      parts.add("ran " + f.command().argv().get(0));
    }
    if (f.app() != null) {
      parts.add("app " + f.app().describe() + " at " + f.app().replicas() + " replicas");
    }
    return parts.isEmpty() ? "nothing repointed (clients moved by hand)" : String.join(", ", parts);
  }
}
