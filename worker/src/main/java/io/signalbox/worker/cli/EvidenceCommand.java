package io.signalbox.worker.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.activities.evidence.EvidenceActivitiesImpl;
import io.signalbox.activities.evidence.EvidenceStore;
import io.signalbox.activities.evidence.FullReports;
import io.signalbox.activities.evidence.ReportStore;
import io.signalbox.workflows.core.Json;
import io.signalbox.workflows.core.StoredReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.postgresql.ds.PGSimpleDataSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code signalbox evidence <id> [--run RUN_ID]}: a run's evidence report (Markdown, or the JSON
 * record). Evidence is kept per run, so a workflow id that was reused has several: the newest is
 * shown, {@code --run} picks another. From Signalbox's own database when one is given (as the
 * worker is configured: {@code SPRING_DATASOURCE_URL}, {@code _USERNAME}, {@code _PASSWORD}), else
 * from the evidence files. The full reports the evidence references (a verification's row per
 * table) are read again and checked against the SHA-256 the run recorded; a mismatch is said on
 * stderr and exits 1.
 */
@Command(
    name = "evidence",
    description =
        "Print a run's evidence report: the newest run of a workflow id, the run given with --run,"
            + " or workflowId/runId.")
class EvidenceCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ID", description = "Workflow id, or workflowId/runId.")
  String id;

  @Option(
      names = "--run",
      paramLabel = "RUN_ID",
      description = "The run of the workflow id to show (default: its newest run).")
  String runId;

  @Option(names = "--json", description = "Print the JSON record instead of the Markdown report.")
  boolean json;

  @Option(
      names = "--db-url",
      defaultValue = "${env:SPRING_DATASOURCE_URL}",
      description = "JDBC URL of Signalbox's database (env SPRING_DATASOURCE_URL).")
  String dbUrl;

  @Option(
      names = "--db-user",
      defaultValue = "${env:SPRING_DATASOURCE_USERNAME}",
      description =
          "Its user (env SPRING_DATASOURCE_USERNAME; the password comes from env"
              + " SPRING_DATASOURCE_PASSWORD, never an argument).")
  String dbUser;

  @Option(
      names = "--evidence-dir",
      defaultValue = "${env:SIGNALBOX_EVIDENCE_DIR:-var/evidence}",
      description = "Evidence files, when no database is given (default: ${DEFAULT-VALUE}).")
  Path dir;

  /** The evidence JSON of the run shown, to check the full reports it references. */
  private JsonNode evidence;

  private ReportStore reports;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    String text = dbUrl != null && !dbUrl.isBlank() ? fromDatabase() : fromFiles();
    out.print(text);
    if (!text.endsWith("\n")) {
      out.println();
    }
    return checkFullReports() ? 0 : CliException.FAILED;
  }

  /**
   * Checks each full report the evidence references (a verification with a row per table, kept
   * apart from the run's history) against the SHA-256 the run recorded, reading it again from the
   * store: a report changed since (or gone) is said on stderr and the command exits 1; a match is
   * silent, as the report itself already says it matched when it was recorded.
   */
  private boolean checkFullReports() {
    if (evidence == null) {
      return true;
    }
    PrintWriter err = spec.commandLine().getErr();
    boolean ok = true;
    List<ObjectNode> holders = new java.util.ArrayList<>();
    FullReports.forEachReference(evidence.path("result").path("verification"), holders::add);
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (ObjectNode holder : holders) {
      StoredReport ref = FullReports.reference(holder);
      if (ref == null || !seen.add(ref.evidenceId() + "/" + ref.name())) {
        continue;
      }
      String what = "full report " + ref.name() + " of " + ref.evidenceId();
      Optional<ReportStore.Loaded> loaded;
      try {
        loaded = reports.get(ref);
      } catch (RuntimeException e) {
        err.println("WARNING: " + what + " could not be read: " + Errors.rootMessage(e));
        ok = false;
        continue;
      }
      if (loaded.isEmpty()) {
        err.println(
            "WARNING: "
                + what
                + " is not in the store (the evidence above shows what was found when it was"
                + " recorded)");
        ok = false;
      } else if (!loaded.get().matches()) {
        err.println(
            "WARNING: "
                + what
                + ": SHA-256 DOES NOT MATCH. The stored report's is "
                + loaded.get().sha256()
                + ", the run recorded "
                + ref.sha256()
                + ": the report was changed after the run.");
        ok = false;
      }
    }
    return ok;
  }

  private String fromDatabase() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(dbUrl);
    if (dbUser != null) {
      ds.setUser(dbUser);
    }
    String password = System.getenv("SPRING_DATASOURCE_PASSWORD");
    if (password != null) {
      ds.setPassword(password);
    }
    EvidenceStore store = new EvidenceStore(ds);
    reports = new ReportStore(ds, dir);
    Optional<EvidenceStore.EvidenceRecord> found;
    List<EvidenceStore.EvidenceSummary> runs;
    try {
      found = runId != null ? store.findRun(id, runId) : store.find(id);
      runs = found.map(r -> store.listRuns(r.summary().workflowId())).orElse(List.of());
    } catch (RuntimeException e) {
      throw new CliException(
          CliException.UNREACHABLE,
          "cannot read evidence from " + dbUrl + ": " + Errors.rootMessage(e));
    }
    EvidenceStore.EvidenceRecord record =
        found.orElseThrow(
            () ->
                new CliException(
                    CliException.NOT_FOUND, "no evidence for " + what() + " in " + dbUrl));
    if (runs.size() > 1) {
      // On stderr, so the report on stdout stays clean for a pipe.
      spec.commandLine()
          .getErr()
          .println(
              "run "
                  + record.summary().runId()
                  + " of "
                  + runs.size()
                  + " runs of "
                  + record.summary().workflowId()
                  + " (others: "
                  + runs.stream()
                      .map(EvidenceStore.EvidenceSummary::runId)
                      .filter(r -> !r.equals(record.summary().runId()))
                      .toList()
                  + "; pick one with --run)");
    }
    evidence = record.json();
    return json ? record.json().toPrettyString() : record.markdown();
  }

  private String fromFiles() throws IOException {
    Path file = locate();
    String name = file.getFileName().toString();
    Path jsonFile = file.resolveSibling(name.substring(0, name.length() - 3) + ".json");
    if (Files.isRegularFile(jsonFile)) {
      evidence = Json.mapper().readTree(jsonFile.toFile());
      reports = new ReportStore(null, dir);
    }
    return Files.readString(json ? jsonFile : file);
  }

  /** The run given by --run, else {@code workflowId/runId}, else the newest report of the id. */
  private Path locate() throws IOException {
    if (runId != null) {
      Path exact = EvidenceActivitiesImpl.markdownFile(dir, id, runId);
      if (Files.isRegularFile(exact)) {
        return exact;
      }
      throw new CliException(
          CliException.NOT_FOUND, "no evidence for " + what() + " under " + dir.toAbsolutePath());
    }
    int slash = id.lastIndexOf('/');
    if (slash > 0) {
      Path exact =
          EvidenceActivitiesImpl.markdownFile(dir, id.substring(0, slash), id.substring(slash + 1));
      if (Files.isRegularFile(exact)) {
        return exact;
      }
    }
    Path runs = EvidenceActivitiesImpl.workflowDirectory(dir, id);
    if (Files.isDirectory(runs)) {
      try (Stream<Path> files = Files.list(runs)) {
        Optional<Path> newest =
            files
                .filter(f -> f.getFileName().toString().endsWith(".md"))
                .max(Comparator.comparing(EvidenceCommand::modified));
        if (newest.isPresent()) {
          return newest.get();
        }
      }
    }
    throw new CliException(
        CliException.NOT_FOUND,
        "no evidence for '"
            + id
            + "' under "
            + dir.toAbsolutePath()
            + " (give --db-url, or --evidence-dir where the worker writes evidence)");
  }

  private String what() {
    return runId == null ? "'" + id + "'" : "run " + runId + " of '" + id + "'";
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }
}
