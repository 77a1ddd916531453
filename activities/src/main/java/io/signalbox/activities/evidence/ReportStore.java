package io.signalbox.activities.evidence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.StoredReport;
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
 * Reports too large for workflow history, kept in the evidence store: in Signalbox's own database
 * (table {@code signalbox_report}, migration {@code V3}) when there is one, else as files under the
 * evidence directory ({@code <dir>/<workflowId>/<runId>.<name>.report.json}, names made safe as the
 * evidence files' are). Both are keyed by {@code (workflowId, runId, name)}: a {@link StoredReport}
 * names the key and the SHA-256 of the report's canonical JSON ({@link Json#digest}), which a
 * reader checks.
 *
 * <p>Without a database the file is on the worker that made the report: a worker that records the
 * evidence elsewhere does not find it, and the evidence says so (the dev profile runs one worker).
 */
public class ReportStore {
  private static final Logger log = LoggerFactory.getLogger(ReportStore.class);

  /** {@link StoredReport#store()} of a report in the database. */
  public static final String DATABASE = "database";

  /** {@link StoredReport#store()} of a report in a file. */
  public static final String FILE = "file";

  private static final String UPSERT =
      """
      INSERT INTO signalbox_report (workflow_id, run_id, name, sha256, json, recorded_at)
      VALUES (?, ?, ?, ?, ?::jsonb, now())
      ON CONFLICT (workflow_id, run_id, name) DO UPDATE SET
          sha256 = EXCLUDED.sha256, json = EXCLUDED.json, recorded_at = EXCLUDED.recorded_at
      """;

  private static final String SELECT =
      "SELECT sha256, json::text FROM signalbox_report"
          + " WHERE workflow_id = ? AND run_id = ? AND name = ?";

  private final DataSource dataSource;
  private final Path directory;

  /**
   * @param dataSource Signalbox's own database, migrated by {@link EvidenceSchema}; null to keep
   *     reports as files
   * @param directory the evidence directory, for files when there is no database (and for reading
   *     files written while there was none); null with a database only
   */
  public ReportStore(DataSource dataSource, Path directory) {
    if (dataSource == null && directory == null) {
      throw new IllegalArgumentException("reports need a database, a directory or both");
    }
    this.dataSource = dataSource;
    this.directory = directory == null ? null : directory.toAbsolutePath().normalize();
  }

  /**
   * A report read back and checked.
   *
   * @param report the stored report
   * @param sha256 the digest of what was read, recomputed
   * @param matches whether it equals the reference's digest
   */
  public record Loaded(JsonNode report, String sha256, boolean matches) {}

  /**
   * Stores a report (replacing one stored under the same key) and returns its reference.
   *
   * @throws IllegalStateException when the database cannot be written (retryable)
   * @throws UncheckedIOException when the file cannot be written (retryable)
   */
  public StoredReport put(String workflowId, String runId, String name, JsonNode report) {
    String sha256 = Json.digest(report);
    String json = Json.tree(report).toString();
    if (dataSource != null) {
      try (Connection c = dataSource.getConnection();
          PreparedStatement ps = c.prepareStatement(UPSERT)) {
        ps.setString(1, workflowId);
        ps.setString(2, runId);
        ps.setString(3, name);
        ps.setString(4, sha256);
        ps.setString(5, json);
        ps.executeUpdate();
        if (!c.getAutoCommit()) {
          c.commit();
        }
      } catch (SQLException e) {
        throw new IllegalStateException(
            "cannot store report " + name + " of " + workflowId + "/" + runId + ": " + e, e);
      }
      log.info("report {} of {}/{} stored ({} bytes)", name, workflowId, runId, json.length());
      return new StoredReport(workflowId, runId, name, sha256, DATABASE);
    }
    Path file = file(workflowId, runId, name);
    try {
      Files.createDirectories(file.getParent());
      EvidenceActivitiesImpl.writeAtomically(file, json);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write report " + file, e);
    }
    log.info("report {} of {}/{} written to {}", name, workflowId, runId, file);
    return new StoredReport(workflowId, runId, name, sha256, FILE);
  }

  /**
   * The report a reference names, with its digest checked; empty when it is neither in the database
   * nor in a file here.
   */
  public Optional<Loaded> get(StoredReport ref) {
    if (ref == null || ref.workflowId() == null || ref.runId() == null || ref.name() == null) {
      return Optional.empty();
    }
    Optional<JsonNode> report = fromDatabase(ref);
    if (report.isEmpty()) {
      report = fromFile(ref);
    }
    return report.map(
        r -> {
          String sha256 = Json.digest(r);
          return new Loaded(r, sha256, sha256.equalsIgnoreCase(String.valueOf(ref.sha256())));
        });
  }

  private Optional<JsonNode> fromDatabase(StoredReport ref) {
    if (dataSource == null) {
      return Optional.empty();
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(SELECT)) {
      ps.setString(1, ref.workflowId());
      ps.setString(2, ref.runId());
      ps.setString(3, ref.name());
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(parse(rs.getString(2))) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read report " + ref.name() + ": " + e, e);
    }
  }

  private Optional<JsonNode> fromFile(StoredReport ref) {
    if (directory == null) {
      return Optional.empty();
    }
    Path file = file(ref.workflowId(), ref.runId(), ref.name());
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(Files.readString(file)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read report " + file, e);
    }
  }

  /** {@code <dir>/<workflowId>/<runId>.<name>.report.json}, every part one safe segment. */
  Path file(String workflowId, String runId, String name) {
    Path file =
        directory
            .resolve(EvidenceActivitiesImpl.safeName(workflowId))
            .resolve(
                EvidenceActivitiesImpl.safeName(runId)
                    + "."
                    + EvidenceActivitiesImpl.safeName(name)
                    + ".report.json")
            .normalize();
    if (!file.startsWith(directory)) {
      throw new IllegalStateException("report path " + file + " is outside " + directory);
    }
    return file;
  }

  private static JsonNode parse(String text) {
    try {
      return Json.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored report is not JSON: " + e.getOriginalMessage(), e);
    }
  }
}
