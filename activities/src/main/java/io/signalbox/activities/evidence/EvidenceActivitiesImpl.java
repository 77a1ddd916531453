package io.signalbox.activities.evidence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.signalbox.workflows.core.EvidenceActivities;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.RunbookResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a run's evidence to Signalbox's own database (table {@code signalbox_evidence}, see {@link
 * EvidenceSchema}) and, when a directory is configured, as {@code <dir>/<workflowId>/<runId>.json}
 * and {@code .md}. The evidence id is {@code workflowId/runId}.
 *
 * <p>Keyed by run, in the database ({@code (workflow_id, run_id)}) and on disk: a later run that
 * reuses a workflow id gets its own record and files, and never replaces an earlier run's.
 * Idempotent: recording the same run again replaces its row and rewrites its files, so a retried
 * activity never leaves two records. Before anything is stored, every JSON field named {@code
 * password} with a string value is replaced by {@value #REDACTED}: inputs only ever hold secret
 * references, and this makes sure a literal that slipped through is not kept either.
 *
 * <p>The evidence JSON is {@code {"evidenceId", "workflowId", "runId", "startedAt", "endedAt",
 * "result": RunbookResult}}.
 */
public class EvidenceActivitiesImpl implements EvidenceActivities {

  private static final Logger log = LoggerFactory.getLogger(EvidenceActivitiesImpl.class);

  /** What a redacted secret reads as. */
  public static final String REDACTED = "[REDACTED]";

  // A conninfo "password=..." or URI "scheme://user:secret@host" inside free text (a step detail
  // quoting a connection string): redacted too, as the field rule cannot see it.
  private static final Pattern CONNINFO_PASSWORD =
      Pattern.compile("(?i)(password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|[^\\s'&;]+)");
  private static final Pattern URI_PASSWORD =
      Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://[^\\s:/@]+:)([^\\s/@]+)(@)");

  private static final int MAX_NAME_BYTES = 200;

  private static final String UPSERT =
      """
      INSERT INTO signalbox_evidence (evidence_id, workflow_id, run_id, runbook, outcome,
          requested_by, started_at, ended_at, failure_type, dry_run, json, markdown, recorded_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, now())
      ON CONFLICT (workflow_id, run_id) DO UPDATE SET
          evidence_id = EXCLUDED.evidence_id,
          runbook = EXCLUDED.runbook,
          outcome = EXCLUDED.outcome,
          requested_by = EXCLUDED.requested_by,
          started_at = EXCLUDED.started_at,
          ended_at = EXCLUDED.ended_at,
          failure_type = EXCLUDED.failure_type,
          dry_run = EXCLUDED.dry_run,
          json = EXCLUDED.json,
          markdown = EXCLUDED.markdown,
          recorded_at = EXCLUDED.recorded_at
      """;

  private final DataSource dataSource;
  private final Path directory;
  private final ReportStore reports;

  /**
   * @param dataSource Signalbox's own database (pooled by the worker), migrated by {@link
   *     EvidenceSchema}; null to keep evidence as files only (the dev profile without a database)
   * @param directory where to write the files, or null to keep evidence in the database only
   */
  public EvidenceActivitiesImpl(DataSource dataSource, Path directory) {
    this(dataSource, directory, new ReportStore(dataSource, directory));
  }

  /**
   * @param reports where the whole reports that results only reference ({@code fullReport}) are
   *     read from
   * @see #EvidenceActivitiesImpl(DataSource, Path)
   */
  public EvidenceActivitiesImpl(DataSource dataSource, Path directory, ReportStore reports) {
    if (dataSource == null && directory == null) {
      throw new IllegalArgumentException("evidence needs a database, a directory or both");
    }
    this.dataSource = dataSource;
    this.directory = directory == null ? null : directory.toAbsolutePath().normalize();
    this.reports = reports;
  }

  @Override
  public EvidenceRef record(EvidenceInput input) {
    if (input == null
        || isBlank(input.workflowId())
        || isBlank(input.runId())
        || input.result() == null) {
      throw FailureType.INVALID_INPUT.failure("evidence needs a workflowId, a runId and a result");
    }
    String evidenceId = evidenceId(input.workflowId(), input.runId());
    RunbookResult result = redact(FullReports.expand(input.result(), reports));
    EvidenceInput redacted =
        new EvidenceInput(
            input.workflowId(), input.runId(), input.startedAt(), input.endedAt(), result);

    ObjectNode json = Json.mapper().createObjectNode();
    json.put("evidenceId", evidenceId);
    json.put("workflowId", input.workflowId());
    json.put("runId", input.runId());
    json.put("startedAt", input.startedAt());
    json.put("endedAt", input.endedAt());
    json.set("result", Json.tree(result));
    String jsonText = pretty(json);
    String markdown = sanitize(MarkdownReport.render(redacted));

    if (dataSource != null) {
      upsert(evidenceId, redacted, jsonText, markdown);
    }
    if (directory == null) {
      log.info("evidence {} recorded ({})", evidenceId, result.outcome());
      return new EvidenceRef(evidenceId, null, null);
    }
    Path runDir = runDirectory(input.workflowId());
    String base = safeName(input.runId());
    Path jsonFile = inside(runDir.resolve(base + ".json"));
    Path mdFile = inside(runDir.resolve(base + ".md"));
    try {
      Files.createDirectories(runDir);
      writeAtomically(jsonFile, jsonText);
      writeAtomically(mdFile, markdown);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the evidence files of " + evidenceId, e);
    }
    log.info("evidence {} recorded ({}) in {}", evidenceId, result.outcome(), runDir);
    return new EvidenceRef(evidenceId, jsonFile.toString(), mdFile.toString());
  }

  /** {@code workflowId/runId}. */
  public static String evidenceId(String workflowId, String runId) {
    return workflowId + "/" + runId;
  }

  private void upsert(String evidenceId, EvidenceInput in, String json, String markdown) {
    RunbookResult r = in.result();
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(UPSERT)) {
      ps.setString(1, evidenceId);
      ps.setString(2, in.workflowId());
      ps.setString(3, in.runId());
      ps.setString(4, r.runbook());
      ps.setString(5, r.outcome());
      ps.setString(6, requestedBy(r));
      setInstant(ps, 7, in.startedAt());
      setInstant(ps, 8, in.endedAt());
      ps.setString(9, r.failureType());
      ps.setBoolean(10, r.dryRun());
      ps.setString(11, json);
      ps.setString(12, markdown);
      ps.executeUpdate();
      if (!c.getAutoCommit()) {
        c.commit();
      }
    } catch (SQLException e) {
      // Retryable: Temporal retries the activity, and the upsert makes the retry harmless.
      throw new IllegalStateException(
          "cannot store evidence " + evidenceId + ": " + e.getMessage(), e);
    }
  }

  /**
   * The result does not carry who started the run (yet): a {@code requestedBy} field on the result,
   * its plan or its verification is used when there is one, and the column is otherwise empty.
   */
  private static String requestedBy(RunbookResult r) {
    for (JsonNode n : new JsonNode[] {Json.tree(r), r.plan(), r.verification()}) {
      if (n != null && n.path("requestedBy").isTextual()) {
        return n.path("requestedBy").asText();
      }
    }
    return null;
  }

  private static void setInstant(PreparedStatement ps, int index, String iso) throws SQLException {
    Instant instant = MarkdownReport.instant(iso);
    if (instant == null) {
      if (iso != null) {
        log.warn("evidence time '{}' is not an ISO-8601 instant; stored as null", iso);
      }
      ps.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      ps.setObject(index, instant.atOffset(ZoneOffset.UTC));
    }
  }

  /** The result with every string {@code password} field and connection-string secret redacted. */
  static RunbookResult redact(RunbookResult result) {
    JsonNode tree = redact(Json.tree(result));
    try {
      return Json.mapper().treeToValue(tree, RunbookResult.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot map a redacted result back", e);
    }
  }

  /** Redacts a JSON tree in place and returns it. */
  static JsonNode redact(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (node.isObject()) {
      ObjectNode object = (ObjectNode) node;
      List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
      object.fields().forEachRemaining(fields::add);
      for (Map.Entry<String, JsonNode> f : fields) {
        if (f.getKey().equalsIgnoreCase("password") && f.getValue().isTextual()) {
          object.put(f.getKey(), REDACTED);
        } else if (f.getValue().isTextual()) {
          object.set(f.getKey(), redactText(f.getValue()));
        } else {
          redact(f.getValue());
        }
      }
    } else if (node.isArray()) {
      ArrayNode array = (ArrayNode) node;
      for (int i = 0; i < array.size(); i++) {
        JsonNode e = array.get(i);
        if (e.isTextual()) {
          array.set(i, redactText(e));
        } else {
          redact(e);
        }
      }
    }
    return node;
  }

  private static JsonNode redactText(JsonNode text) {
    String s = text.asText();
    String r = redactText(s);
    return r.equals(s) ? text : TextNode.valueOf(r);
  }

  static String redactText(String s) {
    String r = CONNINFO_PASSWORD.matcher(sanitize(s)).replaceAll("$1" + REDACTED);
    return URI_PASSWORD.matcher(r).replaceAll("$1" + REDACTED + "$3");
  }

  // PostgreSQL text and jsonb cannot hold NUL (not even escaped in JSON); a NUL quoted from
  // command output must not make the evidence unwritable, as every retry would fail the same way.
  private static String sanitize(String s) {
    return s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
  }

  private Path runDirectory(String workflowId) {
    return inside(directory.resolve(safeName(workflowId)));
  }

  /**
   * The file of one run's report under an evidence directory, for readers such as the CLI: {@code
   * <dir>/<workflowId>/<runId>.md} with both names made safe as the writer makes them.
   */
  public static Path markdownFile(Path directory, String workflowId, String runId) {
    return directory.resolve(safeName(workflowId)).resolve(safeName(runId) + ".md");
  }

  /** The directory holding every run of one workflow id under an evidence directory. */
  public static Path workflowDirectory(Path directory, String workflowId) {
    return directory.resolve(safeName(workflowId));
  }

  /** A guard behind {@link #safeName}: nothing is written outside the evidence directory. */
  private Path inside(Path path) {
    Path normalized = path.toAbsolutePath().normalize();
    if (!normalized.startsWith(directory) || normalized.equals(directory)) {
      throw FailureType.INVALID_INPUT.failure(
          "evidence path " + normalized + " is outside " + directory);
    }
    return normalized;
  }

  /**
   * One path segment for a user-chosen id: letters, digits, {@code -}, {@code _} and {@code .} are
   * kept, every other byte becomes {@code %XX} (so {@code /} and {@code \} never split it and
   * distinct ids stay distinct), names made only of dots are encoded whole, and very long names are
   * cut and suffixed with a digest.
   */
  static String safeName(String id) {
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    boolean onlyDots = !id.isEmpty() && id.chars().allMatch(ch -> ch == '.');
    StringBuilder name = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xff;
      boolean keep =
          !onlyDots
              && ((c >= 'a' && c <= 'z')
                  || (c >= 'A' && c <= 'Z')
                  || (c >= '0' && c <= '9')
                  || c == '-'
                  || c == '_'
                  || c == '.');
      if (keep) {
        name.append((char) c);
      } else {
        name.append('%').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
      }
    }
    if (name.isEmpty()) {
      return "%";
    }
    if (name.length() > MAX_NAME_BYTES) {
      return name.substring(0, MAX_NAME_BYTES - 17) + "~" + sha256(id).substring(0, 16);
    }
    return name.toString();
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Readers see the old file or the new one, never a half-written one. */
  static void writeAtomically(Path target, String content) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String pretty(JsonNode json) {
    try {
      return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write evidence JSON", e);
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
