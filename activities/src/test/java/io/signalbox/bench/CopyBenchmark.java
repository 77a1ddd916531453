package io.signalbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.copy.CopyActivitiesImpl;
import io.signalbox.activities.postgres.Inspector;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgTools;
import io.signalbox.activities.postgres.PostgresActivitiesImpl;
import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.copy.CopyActivities;
import io.signalbox.workflows.copy.TableStatsInput;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.SecretRef;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The copy benchmark of issue 3 ("Benchmark (a command, not a test)"); run it with {@code
 * bench/run.sh SCALE} (see {@code bench/README.md}).
 *
 * <p>Starts two throwaway servers ({@link PostgresServer}), generates a Gitea-like database on the
 * first with {@code bench/gitea-like.sql}, and measures on the same two servers, one after the
 * other: PostgresCopy end to end (child JVM, {@link PostgresCopyRun}), the raw tools in their
 * fastest setting, {@code pgcopydb clone}, the naive {@code pg_dump | psql}, Signalbox's count and
 * checksum scans against plain parallel sweeps, and that verification still names a table with one
 * changed value. Prints the table and writes it to {@code bench/results/DATE-scaleN.md}.
 *
 * <p>A command-line tool, not a test: it reports on {@code System.out} on purpose.
 */
public final class CopyBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int JOBS = 2;

  private final int scale;
  private final int rounds = Integer.parseInt(System.getenv().getOrDefault("BENCH_ROUNDS", "2"));
  private final Path repo;
  private final Path work;
  private final Path log;
  private final Map<String, String> machine = new LinkedHashMap<>();
  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private PostgresServer a;
  private PostgresServer b;

  /** One line of the result table. */
  record Row(String measurement, Double seconds, String ratio, String target, String verdict) {}

  private CopyBenchmark(int scale, Path repo, Path work) {
    this.scale = scale;
    this.repo = repo;
    this.work = work;
    this.log = work.resolve("bench.log");
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: CopyBenchmark SCALE REPO_DIR [WORK_DIR]");
      System.exit(2);
    }
    int scale = Integer.parseInt(args[0]);
    Path repo = Path.of(args[1]).toAbsolutePath();
    Path work =
        args.length > 2
            ? Path.of(args[2])
            : Files.createTempDirectory(Path.of("/tmp"), "signalbox-bench-");
    Files.createDirectories(work);
    // Dumps are written by pg tools running as this user; the directory must be reachable.
    new CopyBenchmark(scale, repo, work).run();
    System.exit(0);
  }

  private void run() throws Exception {
    machine.put("load before (1/5/15 min)", loadavg());
    machine.put("CPUs", Runtime.getRuntime().availableProcessors() + " (" + cpuModel() + ")");
    machine.put("memory", memTotal());
    machine.put(
        "JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    Thread sampler = new Thread(this::sampleLoad, "load-sampler");
    sampler.setDaemon(true);
    sampler.start();
    machine.put("started", ZonedDateTime.now(ZoneOffset.UTC).toString());
    Map<String, String> settings =
        Map.of(
            "shared_buffers", "256MB",
            "max_wal_size", "8GB",
            "checkpoint_timeout", "30min",
            "maintenance_work_mem", "256MB",
            "max_connections", "50");
    try (PostgresServer source = PostgresServer.start(settings);
        PostgresServer target = PostgresServer.start(settings)) {
      a = source;
      b = target;
      machine.put("PostgreSQL", a.queryValue("postgres", "SELECT version()"));
      machine.put("pg_dump", firstLine(capture(List.of(tool("pg_dump"), "--version"))));
      say("servers: source " + a + ", target " + b + "; work dir " + work);

      generate();
      machine.put(
          "rounds",
          rounds
              + " (each copy runs once per round, in this order: raw tools,"
              + " PostgresCopy, pgcopydb clone + compare, naive, PostgresCopy counts only,"
              + " PostgresCopy with the target read beside the restore; the table shows each one's"
              + " best round)");
      PostgresCopyFigures pc = null;
      for (int round = 1; round <= rounds; round++) {
        say("round " + round + " of " + rounds);
        rawTools();
        PostgresCopyFigures f = postgresCopy(round, round == rounds);
        pcRuns.add(f);
        if (pc == null || f.total() < pc.total()) {
          pc = f;
        }
        pgcopydb();
        naive();
        countsRuns.add(postgresCopy("counts-only-" + round, "pgcopy_counts", false, false));
        besideRuns.add(postgresCopy("beside-" + round, "pgcopy_beside", false, true, true));
      }
      PostgresCopyFigures last = pcRuns.get(pcRuns.size() - 1);
      addCopyRows();
      PostgresCopyFigures countsOnly =
          countsRuns.stream()
              .min(Comparator.comparingDouble(PostgresCopyFigures::total))
              .orElseThrow();
      rows.add(
          new Row(
              "PostgresCopy with verify.checksums=false (counts only), best round: "
                  + fmt(countsOnly.dump())
                  + " + "
                  + fmt(countsOnly.restore())
                  + " + "
                  + fmt(countsOnly.verify()),
              countsOnly.total(),
              ratio(countsOnly.total(), rawTotal) + " × raw fastest",
              "≤ 1.05 × raw fastest",
              verdict(countsOnly.total() <= 1.05 * rawTotal)));
      notes.add(
          "every round, PostgresCopy counts only (dump + restore + verify = workflow total): "
              + String.join(
                  ", ",
                  countsRuns.stream()
                      .map(
                          f ->
                              fmt(f.dump())
                                  + " + "
                                  + fmt(f.restore())
                                  + " + "
                                  + fmt(f.verify())
                                  + " = "
                                  + fmt(f.total())
                                  + " s")
                      .toList()));
      PostgresCopyFigures beside =
          besideRuns.stream()
              .min(Comparator.comparingDouble(PostgresCopyFigures::total))
              .orElseThrow();
      rows.add(
          new Row(
              "what-if: PostgresCopy with checksums, each target table read as soon as pg_restore"
                  + " has loaded it (beside the restore) instead of after the restore, best round: "
                  + fmt(beside.dump())
                  + " + "
                  + fmt(beside.restore())
                  + " + "
                  + fmt(beside.verify()),
              beside.total(),
              ratio(beside.total(), rawTotal) + " × raw fastest",
              "(for information)",
              ""));
      notes.add(
          "every round, PostgresCopy with the target read beside the restore (what-if): "
              + String.join(
                  ", ",
                  besideRuns.stream()
                      .map(
                          f ->
                              fmt(f.dump())
                                  + " + "
                                  + fmt(f.restore())
                                  + " + "
                                  + fmt(f.verify())
                                  + " = "
                                  + fmt(f.total())
                                  + " s")
                      .toList()));
      scans();
      proveVerifyCatchesEachChange(last);
      compare(pc);
    } finally {
      machine.put("load after (1/5/15 min)", loadavg());
      synchronized (loads) {
        if (!loads.isEmpty()) {
          double max = loads.stream().mapToDouble(Double::doubleValue).max().orElse(0);
          double avg = loads.stream().mapToDouble(Double::doubleValue).average().orElse(0);
          machine.put(
              "1-min load during the run (sampled every 5 s)",
              String.format(Locale.ROOT, "mean %.2f, max %.2f", avg, max));
        }
      }
      machine.put("ended", ZonedDateTime.now(ZoneOffset.UTC).toString());
      report();
      deleteRecursively(work.resolve("dumps"));
    }
  }

  private final List<Double> loads = new ArrayList<>();

  private void sampleLoad() {
    while (true) {
      try {
        double l = Double.parseDouble(loadavg().split(" ")[0]);
        synchronized (loads) {
          loads.add(l);
        }
        Thread.sleep(5000);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        return; // no /proc/loadavg
      }
    }
  }

  private static String cpuModel() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
      return lines
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String memTotal() {
    try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
      return lines
          .filter(l -> l.startsWith("MemTotal"))
          .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024 + " GiB")
          .findFirst()
          .orElse("unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  // ---------------------------------------------------------------------------------- dataset

  private long sourceBytes;

  private void generate() {
    a.createDatabase("gitea");
    double s =
        time(() -> psqlFile(a, "gitea", repo.resolve("bench/gitea-like.sql"), "scale=" + scale));
    sourceBytes = Long.parseLong(a.queryValue("gitea", "SELECT pg_database_size('gitea')"));
    String tables =
        a.queryValue(
            "gitea",
            "SELECT count(*) FROM pg_class WHERE relkind = 'r' AND relnamespace ="
                + " 'public'::regnamespace");
    long totalRows =
        new PostgresActivitiesImpl(secrets())
            .tableStats(new TableStatsInput(endpoint(a, "gitea"), false, JOBS, null))
            .totalRows();
    machine.put(
        "dataset",
        "scale "
            + scale
            + ": "
            + tables
            + " tables, "
            + totalRows
            + " rows, "
            + mib(sourceBytes)
            + " MiB (pg_database_size), generated in "
            + fmt(s)
            + " s");
    say(machine.get("dataset"));
  }

  // ---------------------------------------------------------------------------------- copies

  private double rawTotal = Double.MAX_VALUE;
  private double rawDump;
  private double rawRestore;
  private double pgcopydbSeconds = Double.NaN;
  private double pgcopydbCompareSeconds = Double.NaN;
  private double pgcopydbBothSeconds = Double.NaN;
  private long rawDumpBytes;
  private final List<String> pgcopydbRuns = new ArrayList<>();
  private final List<String> rawRuns = new ArrayList<>();
  private final List<String> naiveRuns = new ArrayList<>();
  private final List<PostgresCopyFigures> pcRuns = new ArrayList<>();
  private final List<PostgresCopyFigures> countsRuns = new ArrayList<>();
  private final List<PostgresCopyFigures> besideRuns = new ArrayList<>();
  private double naiveSeconds = Double.MAX_VALUE;

  private void addCopyRows() {
    rows.add(new Row("raw tools: pg_dump -Fd -j2 -Z0", rawDump, "", "", ""));
    rows.add(new Row("raw tools: pg_restore -j2", rawRestore, "", "", ""));
    rows.add(new Row("raw tools fastest (dump + restore)", rawTotal, "1.00 (reference)", "", ""));
    if (Double.isNaN(pgcopydbSeconds)) {
      rows.add(new Row("pgcopydb clone", null, "n/a", "", "n/a"));
    } else {
      rows.add(
          new Row(
              "pgcopydb clone (table/index jobs 2), best round",
              pgcopydbSeconds,
              ratio(pgcopydbSeconds, rawTotal) + " × raw fastest",
              "",
              ""));
    }
    if (Double.isNaN(pgcopydbBothSeconds)) {
      rows.add(new Row("pgcopydb clone + pgcopydb compare data", null, "n/a", "", "n/a"));
    } else {
      rows.add(
          new Row(
              "pgcopydb clone + pgcopydb compare data, best round (compare alone: "
                  + fmt(pgcopydbCompareSeconds)
                  + " s)",
              pgcopydbBothSeconds,
              ratio(pgcopydbBothSeconds, rawTotal) + " × raw fastest",
              "",
              ""));
    }
    rows.add(new Row("naive: pg_dump \\| psql (plain SQL)", naiveSeconds, "", "", ""));
    notes.add("every round, raw tools (dump + restore): " + String.join(", ", rawRuns));
    notes.add(
        "every round, PostgresCopy (dump + restore + verify = workflow total): "
            + String.join(
                ", ",
                pcRuns.stream()
                    .map(
                        f ->
                            fmt(f.dump())
                                + " + "
                                + fmt(f.restore())
                                + " + "
                                + fmt(f.verify())
                                + " = "
                                + fmt(f.total())
                                + " s, VmHWM "
                                + f.vmHwmKiB() / 1024
                                + " MiB")
                    .toList()));
    notes.add("every round, pgcopydb clone (+ compare data): " + String.join(", ", pgcopydbRuns));
    notes.add("every round, naive: " + String.join(", ", naiveRuns));
  }

  private void rawTools() throws IOException {
    Path dir = work.resolve("dumps").resolve("raw");
    Files.createDirectories(dir.getParent());
    b.createDatabase("raw");
    double dump =
        time(
            () ->
                run(
                    a,
                    tool("pg_dump"),
                    "-h",
                    a.host(),
                    "-p",
                    "" + a.port(),
                    "-U",
                    "postgres",
                    "-Fd",
                    "-j",
                    "" + JOBS,
                    "-Z0",
                    "-f",
                    dir.toString(),
                    "gitea"));
    double restore =
        time(
            () ->
                run(
                    b,
                    tool("pg_restore"),
                    "-h",
                    b.host(),
                    "-p",
                    "" + b.port(),
                    "-U",
                    "postgres",
                    "-j",
                    "" + JOBS,
                    "-d",
                    "raw",
                    dir.toString()));
    rawDumpBytes = directoryBytes(dir);
    if (dump + restore < rawTotal) {
      rawTotal = dump + restore;
      rawDump = dump;
      rawRestore = restore;
    }
    rawRuns.add(fmt(dump) + " + " + fmt(restore) + " = " + fmt(dump + restore) + " s");
    deleteRecursively(dir);
    b.dropDatabase("raw");
    say("raw tools: dump " + fmt(dump) + " s, restore " + fmt(restore) + " s");
  }

  record PostgresCopyFigures(
      double wall,
      double total,
      double dump,
      double restore,
      double verify,
      long vmHwmKiB,
      String dumpPath,
      long dumpBytes,
      String outcome,
      String message) {}

  private PostgresCopyFigures postgresCopy(int round, boolean keep) throws Exception {
    return postgresCopy("" + round, "pgcopy", keep, true);
  }

  private PostgresCopyFigures postgresCopy(
      String round, String targetDb, boolean keep, boolean checksums) throws Exception {
    return postgresCopy(round, targetDb, keep, checksums, false);
  }

  private PostgresCopyFigures postgresCopy(
      String round, String targetDb, boolean keep, boolean checksums, boolean beside)
      throws Exception {
    b.dropDatabase(targetDb);
    b.createDatabase(targetDb);
    Path dumps = work.resolve("dumps").resolve("pc" + round);
    Files.createDirectories(dumps);
    List<String> argv = new ArrayList<>();
    argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    argv.add("-Xmx512m");
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add(PostgresCopyRun.class.getName());
    argv.addAll(
        List.of(
            a.binDir().toString(),
            dumps.toString(),
            "" + a.port(),
            "" + b.port(),
            "gitea",
            targetDb,
            "" + JOBS,
            "" + checksums));
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().put("BENCH_SOURCE_PASSWORD", a.password());
    pb.environment().put("BENCH_TARGET_PASSWORD", b.password());
    pb.environment().put("BENCH_READ_BESIDE_RESTORE", "" + beside);
    Path out = work.resolve("postgres-copy-" + round + ".log");
    pb.redirectErrorStream(true).redirectOutput(out.toFile());
    long t0 = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(3, TimeUnit.HOURS)) {
      p.destroyForcibly();
      throw new IllegalStateException("PostgresCopy did not finish in 3 hours");
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    String line =
        Files.readAllLines(out).stream()
            .filter(l -> l.startsWith(PostgresCopyRun.MARKER))
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "PostgresCopy child exited with "
                            + p.exitValue()
                            + " and no result; see "
                            + out
                            + ":\n"
                            + tail(out, 40)));
    JsonNode r = JSON.readTree(line.substring(PostgresCopyRun.MARKER.length()));
    PostgresCopyFigures f =
        new PostgresCopyFigures(
            wall,
            r.path("totalMillis").asLong() / 1000.0,
            r.path("dumpMillis").asLong() / 1000.0,
            r.path("restoreMillis").asLong() / 1000.0,
            r.path("verifyMillis").asLong() / 1000.0,
            r.path("vmHwmKiB").asLong(),
            r.path("dumpPath").asText(null),
            // Measured now: only the last round's dump is kept, and the best round may be another.
            r.hasNonNull("dumpPath") ? directoryBytes(Path.of(r.path("dumpPath").asText())) : -1,
            r.path("outcome").asText(),
            r.path("message").asText(""));
    if (!"COMPLETED".equals(f.outcome())) {
      throw new IllegalStateException(
          "PostgresCopy ended " + f.outcome() + ": " + f.message() + "\n" + tail(out, 40));
    }
    say(
        "PostgresCopy: "
            + fmt(f.total())
            + " s (dump "
            + fmt(f.dump())
            + ", restore "
            + fmt(f.restore())
            + ", verify "
            + fmt(f.verify())
            + "), child JVM "
            + fmt(wall)
            + " s, VmHWM "
            + f.vmHwmKiB() / 1024
            + " MiB; "
            + r.path("verification").path("summary").asText());
    if (!keep) {
      deleteRecursively(dumps);
      b.dropDatabase(targetDb);
    }
    return f;
  }

  private void pgcopydb() throws IOException {
    String bin = System.getenv("PGCOPYDB");
    if (bin == null || bin.isBlank()) {
      bin = which("pgcopydb");
    }
    if (bin == null || !Files.isExecutable(Path.of(bin))) {
      notes.add(
          "pgcopydb: not installed (PGCOPYDB=/path/to/pgcopydb, or apt-get install -y pgcopydb;"
              + " `compare data` needs 0.13 or later, Debian bookworm has 0.10-1)");
      return;
    }
    machine.put(
        "pgcopydb",
        capture(List.of(bin, "--version"))
            .lines()
            .filter(l -> l.startsWith("pgcopydb version"))
            .findFirst()
            .orElse("unknown"));
    b.createDatabase("pgcopydb");
    Path dir = work.resolve("dumps").resolve("pgcopydb");
    Path pgpass = work.resolve("pgpass");
    Files.writeString(
        pgpass,
        a.host()
            + ":"
            + a.port()
            + ":*:postgres:"
            + a.password()
            + "\n"
            + b.host()
            + ":"
            + b.port()
            + ":*:postgres:"
            + b.password()
            + "\n");
    Files.setPosixFilePermissions(
        pgpass, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    List<String> argv =
        List.of(
            bin,
            "clone",
            "--source",
            "postgres://postgres@" + a.host() + ":" + a.port() + "/gitea",
            "--target",
            "postgres://postgres@" + b.host() + ":" + b.port() + "/pgcopydb",
            "--table-jobs",
            "" + JOBS,
            "--index-jobs",
            "" + JOBS,
            "--no-owner",
            "--dir",
            dir.toString());
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PGPASSFILE", pgpass.toString());
    // pgcopydb calls pg_dump and pg_restore: the server's own major version.
    env.put("PATH", a.binDir() + ":" + System.getenv("PATH"));
    try {
      double t = time(() -> runWith(env, argv));
      pgcopydbSeconds = Double.isNaN(pgcopydbSeconds) ? t : Math.min(pgcopydbSeconds, t);
      say("pgcopydb clone: " + fmt(t) + " s");
      if (!hasCompare(bin)) {
        pgcopydbRuns.add(fmt(t) + " s");
        notes.add("pgcopydb compare data: n/a, this pgcopydb has no compare command (0.13+)");
        return;
      }
      List<String> compare =
          List.of(
              bin,
              "compare",
              "data",
              "--source",
              argv.get(3),
              "--target",
              argv.get(5),
              "--jobs",
              "" + JOBS,
              "--dir",
              dir.toString());
      Path out = work.resolve("pgcopydb-compare.out");
      double c = time(() -> runWith(env, compare, out));
      String result = Files.readString(out);
      if (!pgcopydbCompareMatched(result)) {
        throw new IllegalStateException("pgcopydb compare data found differences; see " + out);
      }
      if (Double.isNaN(pgcopydbBothSeconds) || t + c < pgcopydbBothSeconds) {
        pgcopydbBothSeconds = t + c;
        pgcopydbCompareSeconds = c;
      }
      pgcopydbRuns.add(fmt(t) + " + " + fmt(c) + " = " + fmt(t + c) + " s");
      say("pgcopydb compare data: " + fmt(c) + " s");
    } catch (RuntimeException e) {
      pgcopydbRuns.add("failed");
      notes.add("pgcopydb clone failed: " + firstLine(e.getMessage()) + " (see " + log + ")");
      say("pgcopydb failed: " + e.getMessage());
    } finally {
      Files.deleteIfExists(pgpass);
      deleteRecursively(dir);
      b.dropDatabase("pgcopydb");
    }
  }

  private boolean hasCompare(String bin) {
    return capture(List.of(bin, "help")).contains("compare");
  }

  /**
   * Whether {@code pgcopydb compare data} found every table equal: it prints one line per table
   * with both checksums and a {@code !} between the bars where they differ (and exits 0 either way,
   * 0.17), so a mismatch is read from its output.
   */
  private static boolean pgcopydbCompareMatched(String output) {
    return output.contains("Table Name")
        && output
            .lines()
            .filter(l -> !l.contains("Table Name"))
            .noneMatch(l -> l.matches(".*\\|\\s*!\\s*\\|.*"));
  }

  private static long directoryBytes(Path dir) {
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .mapToLong(
              p -> {
                try {
                  return Files.size(p);
                } catch (IOException e) {
                  return 0;
                }
              })
          .sum();
    } catch (IOException e) {
      return -1;
    }
  }

  private void naive() throws Exception {
    b.createDatabase("naive");
    ProcessBuilder dump =
        new ProcessBuilder(
            tool("pg_dump"), "-h", a.host(), "-p", "" + a.port(), "-U", "postgres", "gitea");
    dump.environment().put("PGPASSWORD", a.password());
    dump.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    ProcessBuilder load =
        new ProcessBuilder(
            tool("psql"),
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            b.host(),
            "-p",
            "" + b.port(),
            "-U",
            "postgres",
            "-d",
            "naive",
            "-o",
            "/dev/null");
    load.environment().put("PGPASSWORD", b.password());
    load.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    load.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    long t0 = System.nanoTime();
    List<Process> ps = ProcessBuilder.startPipeline(List.of(dump, load));
    for (Process p : ps) {
      if (!p.waitFor(3, TimeUnit.HOURS) || p.exitValue() != 0) {
        ps.forEach(Process::destroyForcibly);
        throw new IllegalStateException("pg_dump | psql failed; see " + log);
      }
    }
    double s = (System.nanoTime() - t0) / 1e9;
    naiveSeconds = Math.min(naiveSeconds, s);
    naiveRuns.add(fmt(s) + " s");
    b.dropDatabase("naive");
    say("naive pg_dump | psql: " + fmt(s) + " s");
  }

  private void compare(PostgresCopyFigures pc) {
    rows.add(
        0,
        new Row(
            "PostgresCopy end to end (workflow: preflight, dump, restore, verify with checksums)",
            pc.total(),
            ratio(pc.total(), rawTotal) + " × raw fastest",
            "≤ 1.20 × raw fastest",
            verdict(pc.total() <= 1.20 * rawTotal)));
    rows.add(
        1,
        new Row(
            "PostgresCopy vs pgcopydb clone + pgcopydb compare data",
            pc.total(),
            Double.isNaN(pgcopydbBothSeconds)
                ? "n/a"
                : ratio(pc.total(), pgcopydbBothSeconds) + " × pgcopydb clone + compare",
            "< 1.00 × pgcopydb clone + compare",
            Double.isNaN(pgcopydbBothSeconds) ? "n/a" : verdict(pc.total() < pgcopydbBothSeconds)));
    rows.add(
        2,
        new Row(
            "  PostgresCopy: dump (+ snapshot counts, checksums of the dump's files)",
            pc.dump(),
            "",
            "",
            ""));
    rows.add(3, new Row("  PostgresCopy: restore", pc.restore(), "", "", ""));
    rows.add(
        4,
        new Row(
            "  PostgresCopy: verify (counts + COPY text checksums of the target)",
            pc.verify(),
            "",
            "",
            ""));
    double copyOnly = pc.dump() + pc.restore();
    rows.add(
        5,
        new Row(
            "  PostgresCopy: dump + restore only",
            copyOnly,
            ratio(copyOnly, rawTotal) + " × raw fastest",
            "",
            ""));
    long hwm = pcRuns.stream().mapToLong(PostgresCopyFigures::vmHwmKiB).max().orElse(-1);
    double rss = hwm / 1024.0;
    rows.add(
        new Row(
            "worker peak RSS during PostgresCopy (VmHWM, child JVM -Xmx512m, worst round)",
            null,
            String.format(Locale.ROOT, "%.0f MiB", rss),
            "≤ 512 MiB",
            verdict(hwm > 0 && rss <= 512)));
    long pcDumpBytes = pc.dumpBytes();
    rows.add(
        new Row(
            "dump directory size: PostgresCopy (with manifest.json) vs raw pg_dump -Fd -Z0",
            null,
            mib(pcDumpBytes) + " MiB vs " + mib(rawDumpBytes) + " MiB",
            "no larger than the data pg_dump writes",
            verdict(pcDumpBytes > 0 && pcDumpBytes <= rawDumpBytes + (4L << 20))));
    notes.add(
        "PostgresCopy child JVM wall time (JVM start, in-process Temporal test server, workflow): "
            + fmt(pc.wall())
            + " s");
  }

  // ---------------------------------------------------------------------------------- scans

  private void scans() throws Exception {
    PostgresActivitiesImpl pg = new PostgresActivitiesImpl(secrets());
    Endpoint src = endpoint(a, "gitea");
    // Best of two runs each, alternating, on the source (vacuumed after generation: no hint-bit
    // writes on the first read).
    double sweep = Double.MAX_VALUE;
    double counts = Double.MAX_VALUE;
    double hash = Double.MAX_VALUE;
    double sums = Double.MAX_VALUE;
    for (int i = 0; i < 2; i++) {
      sweep = Math.min(sweep, time(() -> sweep(a, "gitea", "count(*)")));
      counts =
          Math.min(counts, time(() -> pg.tableStats(new TableStatsInput(src, false, JOBS, null))));
      hash = Math.min(hash, time(() -> sweep(a, "gitea", "sum(hashtext(t::text))")));
      sums = Math.min(sums, time(() -> pg.tableStats(new TableStatsInput(src, true, JOBS, null))));
    }
    double survey =
        time(
            () -> {
              try (Connection c = a.connect("gitea")) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                  st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                }
                Inspector.tableStats(c, true);
                c.rollback();
              }
            });
    notes.add(
        "The earlier snapshot survey (as SnapshotDump ran it before TableScanner:"
            + " Inspector.tableStats on the one exporting connection, tables one after the other,"
            + " checksums on) takes "
            + fmt(survey)
            + " s on its own here, against "
            + fmt(sums)
            + " s for the same counts and checksums over 2 connections (TableScanner).");
    rows.add(
        new Row(
            "counts: Signalbox tableStats (checksums off, 2 connections)",
            counts,
            ratio(counts, sweep) + " × count sweep",
            "≤ 1.2 × count sweep",
            verdict(counts <= 1.2 * sweep)));
    rows.add(new Row("  reference: parallel count(*) sweep, 2 connections", sweep, "1.00", "", ""));
    rows.add(
        new Row(
            "checksums: Signalbox tableStats (checksums on, 2 connections)",
            sums,
            ratio(sums, hash) + " × hashtext sweep",
            "≤ 1.5 × hashtext sweep",
            verdict(sums <= 1.5 * hash)));
    rows.add(
        new Row(
            "  reference: parallel sum(hashtext(t::text)) sweep, 2 connections",
            hash,
            "1.00",
            "",
            ""));
    say(
        "scans: counts "
            + fmt(counts)
            + " s vs sweep "
            + fmt(sweep)
            + " s; checksums "
            + fmt(sums)
            + " s vs hashtext "
            + fmt(hash)
            + " s");
  }

  /** {@code SELECT expr FROM t} for every table, largest first, over {@link #JOBS} connections. */
  private static void sweep(PostgresServer server, String db, String expr) {
    List<String> tables =
        server.queryColumn(
            db,
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON"
                + " n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY"
                + " pg_relation_size(c.oid) DESC");
    ConcurrentLinkedQueue<String> todo = new ConcurrentLinkedQueue<>(tables);
    ExecutorService pool = Executors.newFixedThreadPool(JOBS);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        fs.add(
            pool.submit(
                () -> {
                  try (Connection c = server.connect(db);
                      Statement st = c.createStatement()) {
                    String t;
                    while ((t = todo.poll()) != null) {
                      try (ResultSet rs = st.executeQuery("SELECT " + expr + " FROM " + t + " t")) {
                        rs.next();
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("sweep failed: " + e.getMessage(), e);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Three damages of the PostgresCopy target, one at a time, each verified again through the real
   * activity and then undone: one changed value (in {@code comment}), one missing row (in {@code
   * issue}), one extra row (in {@code action}). Each report must fail and name exactly that table.
   * The undo goes through a temporary table of a session kept open (temporary tables are not
   * verified), and a last verify must match again.
   */
  private void proveVerifyCatchesEachChange(PostgresCopyFigures pc) throws SQLException {
    String db = "pgcopy";
    try (Connection c = b.connect(db);
        Statement st = c.createStatement()) {
      catches(
          pc,
          "one changed value (UPDATE 1 row of comment on the target, verify again)",
          "public.comment",
          () ->
              st.execute(
                  "UPDATE public.comment SET content = content || '.' WHERE id = (SELECT min(id)"
                      + " FROM public.comment WHERE id > 1000)"),
          () ->
              st.execute(
                  "UPDATE public.comment SET content = left(content, -1) WHERE id = (SELECT"
                      + " min(id) FROM public.comment WHERE id > 1000)"));
      catches(
          pc,
          "one missing row (DELETE 1 row of issue on the target, verify again)",
          "public.issue",
          () ->
              st.execute(
                  "CREATE TEMP TABLE bench_missing AS SELECT * FROM public.issue WHERE id ="
                      + " (SELECT max(id) / 2 FROM public.issue);"
                      + " DELETE FROM public.issue WHERE id IN (SELECT id FROM bench_missing)"),
          () -> st.execute("INSERT INTO public.issue SELECT * FROM bench_missing"));
      catches(
          pc,
          "one extra row (INSERT 1 row into action on the target, verify again)",
          "public.action",
          () ->
              st.execute(
                  "CREATE TEMP TABLE bench_extra AS SELECT * FROM public.action WHERE id ="
                      + " (SELECT max(id) / 3 FROM public.action);"
                      + " UPDATE bench_extra SET id = (SELECT max(id) + 1 FROM public.action);"
                      + " INSERT INTO public.action SELECT * FROM bench_extra"),
          () -> st.execute("DELETE FROM public.action WHERE id IN (SELECT id FROM bench_extra)"));
      CopyActivities.VerificationReport again = verifyAgain(pc, db);
      notes.add(
          "after the three damages were undone, verify matched again: "
              + again.matches()
              + " ("
              + again.summary()
              + ")");
      if (!again.matches()) {
        throw new IllegalStateException("verify does not match after the undo: " + again.summary());
      }
    }
  }

  private interface Sql {
    void run() throws SQLException;
  }

  private void catches(PostgresCopyFigures pc, String what, String table, Sql damage, Sql undo)
      throws SQLException {
    damage.run();
    long t0 = System.nanoTime();
    CopyActivities.VerificationReport r = verifyAgain(pc, "pgcopy");
    double s = (System.nanoTime() - t0) / 1e9;
    undo.run();
    List<String> bad = r.mismatchingTables();
    boolean caught = !r.matches() && bad.equals(List.of(table));
    String problem =
        r.tables().stream()
            .filter(t -> !t.ok())
            .map(t -> t.table() + ": " + t.problem())
            .findFirst()
            .orElse("nothing");
    rows.add(
        new Row(
            "verify catches " + what,
            s,
            caught ? "named " + problem : "NOT caught: " + bad,
            "exactly that table named",
            verdict(caught)));
    say(what + ": " + (caught ? "caught, " : "NOT caught, ") + r.summary());
  }

  private CopyActivities.VerificationReport verifyAgain(PostgresCopyFigures pc, String db) {
    SecretResolver secrets = secrets();
    CopyActivitiesImpl impl =
        new CopyActivitiesImpl(
            new PgTools(new CommandRunner(), a.binDir(), secrets::resolve),
            new PgConnector(secrets),
            work.resolve("dumps"),
            null);
    TestActivityEnvironment env = TestActivityEnvironment.newInstance();
    try {
      env.registerActivitiesImplementations(impl);
      CopyActivities copy = env.newActivityStub(CopyActivities.class);
      return copy.verify(
          new CopyActivities.VerifyRequest(endpoint(b, db), pc.dumpPath(), true, JOBS));
    } finally {
      env.close();
    }
  }

  // ---------------------------------------------------------------------------------- report

  private void report() throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# PostgresCopy benchmark, scale ").append(scale).append("\n\n");
    machine.forEach((k, v) -> md.append("- ").append(k).append(": ").append(v).append('\n'));
    md.append('\n');
    md.append("| measurement | seconds | ratio | target | result |\n");
    md.append("|---|---:|---|---|---|\n");
    for (Row r : rows) {
      md.append("| ")
          .append(r.measurement())
          .append(" | ")
          .append(r.seconds() == null ? "" : fmt(r.seconds()))
          .append(" | ")
          .append(r.ratio())
          .append(" | ")
          .append(r.target())
          .append(" | ")
          .append(r.verdict())
          .append(" |\n");
    }
    if (!notes.isEmpty()) {
      md.append('\n');
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
    }
    System.out.println();
    System.out.println(md);
    Path results = repo.resolve("bench/results");
    Files.createDirectories(results);
    Path file = results.resolve(LocalDate.now(ZoneOffset.UTC) + "-scale" + scale + ".md");
    Files.writeString(file, md.toString());
    System.out.println("written to " + file);
  }

  // ---------------------------------------------------------------------------------- helpers

  private interface Step {
    void run() throws Exception;
  }

  private static double time(Step step) {
    long t0 = System.nanoTime();
    try {
      step.run();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return (System.nanoTime() - t0) / 1e9;
  }

  private SecretResolver secrets() {
    Map<String, String> pw = Map.of("PW_" + a.port(), a.password(), "PW_" + b.port(), b.password());
    return new SecretResolver(null, pw::get);
  }

  private static Endpoint endpoint(PostgresServer s, String db) {
    return new Endpoint(
        s.host(),
        s.port(),
        db,
        "postgres",
        new SecretRef("PW_" + s.port(), null, null),
        "disable",
        null);
  }

  private String tool(String name) {
    return a.binDir().resolve(name).toString();
  }

  private void psqlFile(PostgresServer s, String db, Path file, String var) {
    run(
        s,
        tool("psql"),
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-v",
        var,
        "-h",
        s.host(),
        "-p",
        "" + s.port(),
        "-U",
        "postgres",
        "-d",
        db,
        "-f",
        file.toString());
  }

  /** Runs a pg tool against {@code s}, password through PGPASSWORD, output to the log. */
  private void run(PostgresServer s, String... argv) {
    runWith(Map.of("PGPASSWORD", s.password()), List.of(argv));
  }

  private void runWith(Map<String, String> env, List<String> argv) {
    runWith(env, argv, null);
  }

  /** Runs a command, its stderr (and stdout, unless {@code stdout} is given) to the log. */
  private void runWith(Map<String, String> env, List<String> argv, Path stdout) {
    try {
      Files.writeString(
          log,
          "$ " + String.join(" ", argv) + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      ProcessBuilder pb = new ProcessBuilder(argv);
      pb.environment().putAll(env);
      if (stdout == null) {
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      } else {
        pb.redirectOutput(stdout.toFile())
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      }
      Process p = pb.start();
      if (!p.waitFor(3, TimeUnit.HOURS)) {
        p.destroyForcibly();
        throw new IllegalStateException(argv.get(0) + " timed out");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            argv.get(0)
                + " "
                + argv.get(1)
                + " exited with "
                + p.exitValue()
                + ":\n"
                + tail(log, 20));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String capture(List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static String which(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private static String loadavg() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "";
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static String ratio(double x, double ref) {
    return String.format(Locale.ROOT, "%.2f", x / ref);
  }

  private static String verdict(boolean pass) {
    return pass ? "PASS" : "MISS";
  }

  private static String fmt(double s) {
    return String.format(Locale.ROOT, "%.2f", s);
  }

  private static long mib(long bytes) {
    return bytes / (1024 * 1024);
  }

  private static void say(String s) {
    System.out.println(
        ZonedDateTime.now(ZoneOffset.UTC).toLocalTime().withNano(0) + " bench: " + s);
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      say("could not delete " + dir + ": " + e.getMessage());
    }
  }
}
