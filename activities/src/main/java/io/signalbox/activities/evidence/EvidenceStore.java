package io.signalbox.activities.evidence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The read side of the evidence store, used by the CLI ({@code signalbox evidence <id>}): one
 * record by run (workflow id and run id), by evidence id or by workflow id (its latest run), every
 * run of a workflow id, and the most recent records.
 */
public class EvidenceStore {

  private static final String SUMMARY_COLUMNS =
      "evidence_id, workflow_id, run_id, runbook, outcome, requested_by, started_at, ended_at,"
          + " failure_type, dry_run, recorded_at";
  private static final String RECORD_COLUMNS = SUMMARY_COLUMNS + ", json::text, markdown";

  // Latest run first: by start time, then by when it was recorded (runs without a start time).
  private static final String LATEST = " ORDER BY started_at DESC NULLS LAST, recorded_at DESC";

  private final DataSource dataSource;

  /**
   * @param dataSource Signalbox's own database, migrated by {@link EvidenceSchema}
   */
  public EvidenceStore(DataSource dataSource) {
    if (dataSource == null) {
      throw new IllegalArgumentException("dataSource is required");
    }
    this.dataSource = dataSource;
  }

  /**
   * A run's row without its documents.
   *
   * @param evidenceId {@code workflowId/runId}
   * @param requestedBy who started the run, when the evidence says so
   * @param startedAt null when the run did not say
   * @param endedAt null when the run did not say
   * @param recordedAt when the record was last written
   */
  public record EvidenceSummary(
      String evidenceId,
      String workflowId,
      String runId,
      String runbook,
      String outcome,
      String requestedBy,
      Instant startedAt,
      Instant endedAt,
      String failureType,
      boolean dryRun,
      Instant recordedAt) {}

  /**
   * A run's full evidence.
   *
   * @param summary the row
   * @param json the evidence JSON ({@code evidenceId}, {@code workflowId}, {@code runId}, {@code
   *     startedAt}, {@code endedAt}, {@code result})
   * @param markdown the rendered report
   */
  public record EvidenceRecord(EvidenceSummary summary, JsonNode json, String markdown) {}

  /**
   * The record with this evidence id, else the latest run of the workflow with this id: what {@code
   * signalbox evidence <id>} accepts.
   */
  public Optional<EvidenceRecord> find(String id) {
    Optional<EvidenceRecord> byId = findById(id);
    return byId.isPresent() ? byId : findLatestByWorkflowId(id);
  }

  /**
   * The record with this evidence id ({@code workflowId/runId}); should two runs share it (a
   * workflow id with a {@code /}), the latest.
   */
  public Optional<EvidenceRecord> findById(String evidenceId) {
    if (evidenceId == null) {
      return Optional.empty();
    }
    return queryRecord(
        "SELECT "
            + RECORD_COLUMNS
            + " FROM signalbox_evidence WHERE evidence_id = ?"
            + LATEST
            + " LIMIT 1",
        evidenceId);
  }

  /** The record of one run: its workflow id and run id. */
  public Optional<EvidenceRecord> findRun(String workflowId, String runId) {
    if (workflowId == null || runId == null) {
      return Optional.empty();
    }
    return queryRecord(
        "SELECT "
            + RECORD_COLUMNS
            + " FROM signalbox_evidence WHERE workflow_id = ? AND run_id = ?",
        workflowId,
        runId);
  }

  /** The record of the latest run of a workflow id. */
  public Optional<EvidenceRecord> findLatestByWorkflowId(String workflowId) {
    if (workflowId == null) {
      return Optional.empty();
    }
    return queryRecord(
        "SELECT "
            + RECORD_COLUMNS
            + " FROM signalbox_evidence WHERE workflow_id = ?"
            + LATEST
            + " LIMIT 1",
        workflowId);
  }

  /** Every run of a workflow id, latest first. */
  public List<EvidenceSummary> listRuns(String workflowId) {
    return querySummaries(
        "SELECT " + SUMMARY_COLUMNS + " FROM signalbox_evidence WHERE workflow_id = ?" + LATEST,
        workflowId);
  }

  /** The {@code limit} most recently recorded runs, newest first. */
  public List<EvidenceSummary> listRecent(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    return querySummaries(
        "SELECT "
            + SUMMARY_COLUMNS
            + " FROM signalbox_evidence ORDER BY recorded_at DESC, evidence_id LIMIT ?",
        limit);
  }

  private Optional<EvidenceRecord> queryRecord(String sql, Object... params) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new EvidenceRecord(summary(rs), json(rs.getString(12)), rs.getString(13)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read evidence: " + e.getMessage(), e);
    }
  }

  private List<EvidenceSummary> querySummaries(String sql, Object param) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, param);
      try (ResultSet rs = ps.executeQuery()) {
        List<EvidenceSummary> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(summary(rs));
        }
        return rows;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read evidence: " + e.getMessage(), e);
    }
  }

  private static EvidenceSummary summary(ResultSet rs) throws SQLException {
    return new EvidenceSummary(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        instant(rs, 7),
        instant(rs, 8),
        rs.getString(9),
        rs.getBoolean(10),
        instant(rs, 11));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static JsonNode json(String text) {
    try {
      return Json.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored evidence JSON is unreadable", e);
    }
  }
}
