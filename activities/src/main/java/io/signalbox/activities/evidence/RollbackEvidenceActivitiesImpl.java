package io.signalbox.activities.evidence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.activities.evidence.EvidenceStore.EvidenceRecord;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.rollback.RollbackEvidenceActivities;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RollbackEvidenceActivities} on Signalbox's evidence database: reads a run through {@link
 * EvidenceStore} and writes the rolled-back link into that run's record ({@code json.rolledBack}
 * and a section of its report), and into its files when there is an evidence directory.
 */
public class RollbackEvidenceActivitiesImpl implements RollbackEvidenceActivities {

  private static final Logger log = LoggerFactory.getLogger(RollbackEvidenceActivitiesImpl.class);

  private final DataSource dataSource;
  private final EvidenceStore store;
  private final Path directory;

  /**
   * @param dataSource Signalbox's own database, or null when the worker has none (every rollback is
   *     then refused: there is no evidence to roll back from)
   * @param directory the evidence directory whose files are updated too, or null
   */
  public RollbackEvidenceActivitiesImpl(DataSource dataSource, Path directory) {
    this.dataSource = dataSource;
    this.store = dataSource == null ? null : new EvidenceStore(dataSource);
    this.directory = directory == null ? null : directory.toAbsolutePath().normalize();
  }

  @Override
  public RecordedRun findRun(FindRunInput input) {
    if (input == null || input.workflowId() == null || input.workflowId().isBlank()) {
      throw FailureType.INVALID_INPUT.failure("$.workflowId: the run to roll back is required");
    }
    requireDatabase();
    Optional<EvidenceRecord> found =
        input.runId() == null
            ? store.findLatestByWorkflowId(input.workflowId())
            : store.findRun(input.workflowId(), input.runId());
    if (found.isEmpty()) {
      return new RecordedRun(
          false, input.workflowId(), input.runId(), null, null, null, false, null, null, null);
    }
    EvidenceRecord r = found.get();
    JsonNode json = r.json();
    JsonNode result = json.path("result");
    JsonNode switched = result.path("switched");
    JsonNode rolledBack = json.path("rolledBack");
    return new RecordedRun(
        true,
        r.summary().workflowId(),
        r.summary().runId(),
        r.summary().evidenceId(),
        r.summary().runbook(),
        r.summary().outcome(),
        r.summary().dryRun(),
        json.path("endedAt").isTextual() ? json.path("endedAt").asText() : null,
        switched.isObject() ? switched : null,
        rolledBack.isObject() ? Json.map(rolledBack, RolledBack.class) : null);
  }

  @Override
  public void markRolledBack(MarkInput input) {
    requireDatabase();
    RolledBack by = input.rolledBack();
    String evidenceId = EvidenceActivitiesImpl.evidenceId(input.workflowId(), input.runId());
    String json;
    String markdown;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT json::text, markdown FROM signalbox_evidence"
                  + " WHERE workflow_id = ? AND run_id = ? FOR UPDATE")) {
        ps.setString(1, input.workflowId());
        ps.setString(2, input.runId());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            throw FailureType.PRECONDITION_FAILED.failure(
                "no evidence " + evidenceId + " to mark as rolled back");
          }
          json = rs.getString(1);
          markdown = rs.getString(2);
        }
      }
      ObjectNode tree = (ObjectNode) Json.mapper().readTree(json);
      JsonNode existing = tree.path("rolledBack");
      if (existing.isObject()) {
        RolledBack earlier = Json.map(existing, RolledBack.class);
        if (!(by.workflowId().equals(earlier.workflowId()) && by.runId().equals(earlier.runId()))) {
          throw FailureType.PRECONDITION_FAILED.failure(
              evidenceId
                  + " was already rolled back by "
                  + earlier.workflowId()
                  + "/"
                  + earlier.runId());
        }
        c.rollback(); // marked by this rollback already: a retry
      } else {
        tree.set("rolledBack", Json.tree(by));
        json = Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree);
        markdown = markdown + section(by);
        try (PreparedStatement ps =
            c.prepareStatement(
                "UPDATE signalbox_evidence SET json = ?::jsonb, markdown = ?, recorded_at = now()"
                    + " WHERE workflow_id = ? AND run_id = ?")) {
          ps.setString(1, json);
          ps.setString(2, markdown);
          ps.setString(3, input.workflowId());
          ps.setString(4, input.runId());
          ps.executeUpdate();
        }
        c.commit();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot mark evidence " + evidenceId + ": " + e.getMessage(), e);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("evidence " + evidenceId + " is not JSON", e);
    }
    writeFiles(input, json, markdown);
    log.info("evidence {} marked rolled back by {}/{}", evidenceId, by.workflowId(), by.runId());
  }

  /** The report's section that says the run was rolled back. */
  static String section(RolledBack by) {
    return "\n\n## Rolled back\n\nRolled back by `"
        + by.workflowId()
        + "` (run `"
        + by.runId()
        + "`), requested by "
        + by.requestedBy()
        + ", completed "
        + by.at()
        + ". Its evidence: `"
        + EvidenceActivitiesImpl.evidenceId(by.workflowId(), by.runId())
        + "`.\n";
  }

  private void writeFiles(MarkInput input, String json, String markdown) {
    if (directory == null) {
      return;
    }
    Path md = EvidenceActivitiesImpl.markdownFile(directory, input.workflowId(), input.runId());
    if (!Files.exists(md)) {
      return; // recorded before this directory was configured: the database is the record
    }
    String name = md.getFileName().toString();
    Path jsonFile = md.resolveSibling(name.substring(0, name.length() - 3) + ".json");
    try {
      EvidenceActivitiesImpl.writeAtomically(jsonFile, json);
      EvidenceActivitiesImpl.writeAtomically(md, markdown);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update the evidence files of " + input, e);
    }
  }

  private void requireDatabase() {
    if (store == null) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "this worker keeps no evidence database (spring.datasource.url), so it cannot read"
              + " what a run switched; configure one to use Rollback");
    }
  }
}
