package io.signalbox.activities.evidence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Reads the history of backup verifications and DR rehearsals from the evidence store (table {@code
 * signalbox_evidence}, see {@link EvidenceSchema}), for the DrRehearsal report and the worker's
 * backup metrics. Dry runs are left out everywhere.
 *
 * <p>What is read from each row besides its columns ({@code runbook}, {@code outcome}, {@code
 * dry_run}, {@code ended_at}, {@code workflow_id}), as JSON paths into the evidence JSON:
 *
 * <ul>
 *   <li>{@code BackupVerification} rows: the database name from {@code result.verification.name},
 *       else {@code result.verification.database} when a string (as {@code
 *       BackupVerificationReport} writes it), else {@code result.verification.database.name}; rows
 *       without a name are not counted. The RTO from {@code result.rtoSeconds}. The limit from
 *       {@code result.verification.maxRestoreSeconds} (a number) or {@code
 *       result.verification.maxRestoreTime} (ISO-8601).
 *   <li>{@code DrRehearsal} rows: the report's entries in {@code result.verification.databases[]},
 *       each with {@code name}, {@code status} and {@code limitSeconds}.
 * </ul>
 */
public class BackupHistory {

  /** The runbook type of a backup verification, as stored in {@code runbook}. */
  public static final String VERIFICATION = "BackupVerification";

  /** The runbook type of a rehearsal. */
  public static final String REHEARSAL = "DrRehearsal";

  // BackupVerificationReport writes the name as the string "database"; "name" and an object
  // "database" with a "name" are read too.
  private static final String NAME =
      "coalesce(json #>> '{result,verification,name}',"
          + " CASE WHEN jsonb_typeof(json #> '{result,verification,database}') = 'string'"
          + "   THEN json #>> '{result,verification,database}' END,"
          + " json #>> '{result,verification,database,name}')";

  // Every non-dry verification with a name; ?::text[] empty means every name.
  private static final String VERIFICATIONS =
      "SELECT "
          + NAME
          + " AS name, workflow_id, outcome, ended_at,"
          + " CASE WHEN jsonb_typeof(json #> '{result,rtoSeconds}') = 'number'"
          + "   THEN (json #>> '{result,rtoSeconds}')::float8 END AS rto,"
          + " CASE WHEN jsonb_typeof(json #> '{result,verification,maxRestoreSeconds}') = 'number'"
          + "   THEN (json #>> '{result,verification,maxRestoreSeconds}')::float8 END AS limit_s,"
          + " json #>> '{result,verification,maxRestoreTime}' AS limit_iso"
          + " FROM signalbox_evidence"
          + " WHERE runbook = '"
          + VERIFICATION
          + "' AND NOT dry_run AND ended_at IS NOT NULL";

  private static final String FILTER =
      " WHERE name IS NOT NULL AND (cardinality(?::text[]) = 0 OR name = ANY(?::text[]))";

  private static final String NEWEST_SUCCESS =
      "SELECT DISTINCT ON (name) name, workflow_id, ended_at FROM ("
          + VERIFICATIONS
          + " AND outcome = 'COMPLETED') v"
          + FILTER
          + " ORDER BY name, ended_at DESC";

  private static final String LAST_RUNS =
      "SELECT name, workflow_id, outcome, ended_at, rto, limit_s, limit_iso FROM ("
          + "SELECT v.*, row_number() OVER (PARTITION BY name ORDER BY ended_at DESC) AS n FROM ("
          + VERIFICATIONS
          + ") v"
          + FILTER
          + ") r WHERE n <= ? ORDER BY name, ended_at DESC";

  private static final String LAST_MEASURED =
      "SELECT DISTINCT ON (name) name, workflow_id, outcome, ended_at, rto, limit_s, limit_iso"
          + " FROM ("
          + VERIFICATIONS
          + ") v"
          + FILTER
          + " AND rto IS NOT NULL ORDER BY name, ended_at DESC";

  private static final String REHEARSALS =
      "SELECT workflow_id, outcome, ended_at, json FROM signalbox_evidence"
          + " WHERE runbook = '"
          + REHEARSAL
          + "' AND NOT dry_run AND ended_at IS NOT NULL";

  private static final String LAST_REHEARSAL = REHEARSALS + " ORDER BY ended_at DESC LIMIT 1";

  // The newest rehearsal entry per database; a report without a databases array adds nothing.
  private static final String LAST_REHEARSAL_ENTRIES =
      "SELECT DISTINCT ON (d->>'name') d->>'name', d->>'status',"
          + " CASE WHEN jsonb_typeof(d->'limitSeconds') = 'number'"
          + "   THEN (d->>'limitSeconds')::float8 END,"
          + " r.workflow_id, r.ended_at"
          + " FROM ("
          + REHEARSALS
          + ") r, jsonb_array_elements(CASE"
          + "   WHEN jsonb_typeof(r.json #> '{result,verification,databases}') = 'array'"
          + "   THEN r.json #> '{result,verification,databases}' ELSE '[]'::jsonb END) d"
          + " WHERE d->>'name' IS NOT NULL"
          + " ORDER BY d->>'name', r.ended_at DESC";

  private final DataSource dataSource;

  /**
   * @param dataSource Signalbox's own database, migrated by {@link EvidenceSchema}
   */
  public BackupHistory(DataSource dataSource) {
    if (dataSource == null) {
      throw new IllegalArgumentException("dataSource is required");
    }
    this.dataSource = dataSource;
  }

  /** The newest successful verification of a database. */
  public record Success(String name, String workflowId, Instant endedAt) {}

  /**
   * One verification run.
   *
   * @param rtoSeconds its restore time, when it restored
   * @param limitSeconds its limit, when its evidence says
   */
  public record Run(
      String name,
      String workflowId,
      String outcome,
      Instant endedAt,
      Double rtoSeconds,
      Double limitSeconds) {}

  /** The last rehearsal that included a database, and what it said of it. */
  public record RehearsalEntry(
      String name, String status, Double limitSeconds, String workflowId, Instant endedAt) {}

  /** The last rehearsal. */
  public record Rehearsal(String workflowId, String outcome, Instant endedAt) {}

  /** The newest success per database name; every name when {@code names} is empty. */
  public Map<String, Success> newestSuccesses(Collection<String> names) {
    Map<String, Success> out = new LinkedHashMap<>();
    query(
        NEWEST_SUCCESS,
        List.of(names, names),
        rs ->
            out.put(
                rs.getString(1), new Success(rs.getString(1), rs.getString(2), instant(rs, 3))));
    return out;
  }

  /** The last {@code runs} verifications per database name, newest first. */
  public Map<String, List<Run>> lastRuns(Collection<String> names, int runs) {
    Map<String, List<Run>> out = new LinkedHashMap<>();
    query(
        LAST_RUNS,
        List.of(names, names, Math.max(1, runs)),
        rs -> out.computeIfAbsent(rs.getString(1), n -> new ArrayList<>()).add(run(rs)));
    return out;
  }

  /** Per database name, the newest verification that measured a restore time. */
  public Map<String, Run> lastMeasured(Collection<String> names) {
    Map<String, Run> out = new LinkedHashMap<>();
    query(LAST_MEASURED, List.of(names, names), rs -> out.put(rs.getString(1), run(rs)));
    return out;
  }

  /** Per database name, the newest rehearsal report entry. */
  public Map<String, RehearsalEntry> lastRehearsalEntries() {
    Map<String, RehearsalEntry> out = new LinkedHashMap<>();
    query(
        LAST_REHEARSAL_ENTRIES,
        List.of(),
        rs ->
            out.put(
                rs.getString(1),
                new RehearsalEntry(
                    rs.getString(1),
                    rs.getString(2),
                    nullableDouble(rs, 3),
                    rs.getString(4),
                    instant(rs, 5))));
    return out;
  }

  /** The newest rehearsal, if any ran. */
  public Optional<Rehearsal> lastRehearsal() {
    List<Rehearsal> out = new ArrayList<>();
    query(
        LAST_REHEARSAL,
        List.of(),
        rs -> out.add(new Rehearsal(rs.getString(1), rs.getString(2), instant(rs, 3))));
    return out.stream().findFirst();
  }

  private interface RowReader {
    void read(ResultSet rs) throws SQLException;
  }

  private void query(String sql, List<Object> params, RowReader reader) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.size(); i++) {
        Object p = params.get(i);
        if (p instanceof Collection<?> names) {
          Array array = c.createArrayOf("text", names.toArray());
          ps.setArray(i + 1, array);
        } else {
          ps.setObject(i + 1, p);
        }
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          reader.read(rs);
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the backup history: " + e.getMessage(), e);
    }
  }

  private static Run run(ResultSet rs) throws SQLException {
    Double limit = nullableDouble(rs, 6);
    if (limit == null) {
      limit = isoSeconds(rs.getString(7));
    }
    return new Run(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        instant(rs, 4),
        nullableDouble(rs, 5),
        limit);
  }

  private static Double isoSeconds(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return (double) Duration.parse(iso).toSeconds();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Double nullableDouble(ResultSet rs, int column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : v;
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
