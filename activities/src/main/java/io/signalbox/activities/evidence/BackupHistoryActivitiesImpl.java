package io.signalbox.activities.evidence;

import io.signalbox.workflows.backup.BackupHistoryActivities;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link BackupHistoryActivities} on the evidence store. Without an evidence database (files only,
 * the dev profile without {@code spring.datasource.url}) there is no history: the result says so
 * and the DrRehearsal report shows it, instead of every database looking never verified.
 */
public class BackupHistoryActivitiesImpl implements BackupHistoryActivities {

  /** What the report says when evidence is kept as files only. */
  public static final String NO_DATABASE =
      "no evidence database (spring.datasource.url unset): evidence is kept as files only, so"
          + " there is no backup history to read";

  private final BackupHistory history;

  /**
   * @param history the evidence store's backup history, or null when there is no database
   */
  public BackupHistoryActivitiesImpl(BackupHistory history) {
    this.history = history;
  }

  @Override
  public HistoryResult read(HistoryRequest request) {
    if (history == null) {
      return new HistoryResult(false, NO_DATABASE, List.of());
    }
    Set<String> names =
        request == null || request.names() == null
            ? Set.of()
            : new LinkedHashSet<>(request.names());
    if (names.isEmpty()) {
      return new HistoryResult(true, null, List.of());
    }
    Map<String, BackupHistory.Success> successes = history.newestSuccesses(names);
    Map<String, List<BackupHistory.Run>> runs = history.lastRuns(names, request.runs());
    List<DatabaseHistory> out = new ArrayList<>();
    for (String name : names) {
      BackupHistory.Success s = successes.get(name);
      List<BackupHistory.Run> last = runs.getOrDefault(name, List.of());
      if (s == null && last.isEmpty()) {
        continue;
      }
      out.add(
          new DatabaseHistory(
              name,
              s == null ? null : s.endedAt().toString(),
              s == null ? null : s.workflowId(),
              last.stream()
                  .map(
                      r ->
                          new PastRun(
                              r.workflowId(), r.endedAt().toString(), r.outcome(), r.rtoSeconds()))
                  .toList()));
    }
    return new HistoryResult(true, null, out);
  }
}
