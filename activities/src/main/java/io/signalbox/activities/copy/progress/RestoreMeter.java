package io.signalbox.activities.copy.progress;

import io.signalbox.workflows.copy.CopyProgress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The restore's progress, from the dump's table of contents ({@code pg_restore --list}) and
 * pg_restore's {@code --verbose} lines. The total is the size of the dump's table data files; a
 * table counts as done (its file's bytes with it) when pg_restore says it finished loading it
 * ({@code finished item N TABLE DATA}, printed with {@code -j} above 1), or, restoring serially,
 * when pg_restore goes on to the next item; the tables being loaded add what their {@code COPY} has
 * taken in so far ({@code pg_stat_progress_copy} on the target, uncompressed dumps only). After the
 * data come the index builds and constraints, shown as their own stage.
 *
 * <p>The lines come from the thread that reads pg_restore's output, the heartbeats from the
 * activity's thread: the methods are synchronized.
 */
public final class RestoreMeter implements AutoCloseable {
  /** {@code 3581; 0 16390 TABLE DATA public orders owner} in {@code pg_restore --list}. */
  private static final Pattern TOC_TABLE_DATA =
      Pattern.compile("^(\\d+); \\d+ \\d+ TABLE DATA (\\S+) (.+) \\S+$");

  private static final Pattern FINISHED = Pattern.compile("finished item (\\d+) TABLE DATA ");
  private static final Pattern STARTED = Pattern.compile("processing data for table \"(.+)\"$");
  private static final Pattern CREATING =
      Pattern.compile("creating (INDEX|CONSTRAINT|FK CONSTRAINT|TRIGGER) ");

  private final ProgressMeter meter;
  private final Path dir;
  private final boolean finishedLines;
  private final CopyInFlight inFlight;
  private boolean compressed;
  private final Map<Integer, Long> bytesById = new HashMap<>();
  private final Map<String, Integer> idByName = new HashMap<>();
  private final Set<Integer> done = new HashSet<>();
  private long bytesDone;
  private Integer current;
  private String currentName;

  /**
   * @param meter a meter for phase {@code restore}
   * @param dir the dump directory
   * @param finishedLines whether pg_restore prints when each table finishes (parallel, not a
   *     data-only list restore); otherwise a table is done when the next item starts
   */
  public RestoreMeter(ProgressMeter meter, Path dir, boolean finishedLines) {
    this(meter, dir, finishedLines, null);
  }

  /**
   * @param inFlight the bytes taken in by the COPYs running in the target, or null
   */
  RestoreMeter(ProgressMeter meter, Path dir, boolean finishedLines, CopyInFlight inFlight) {
    this.meter = meter;
    this.dir = dir;
    this.finishedLines = finishedLines;
    this.inFlight = inFlight;
  }

  /** One line of {@code pg_restore --list}. */
  public synchronized void tocLine(String line) {
    Matcher m = TOC_TABLE_DATA.matcher(line);
    if (!m.matches()) {
      return;
    }
    int id = Integer.parseInt(m.group(1));
    bytesById.put(id, dataFileBytes(id));
    idByName.put(m.group(2) + "." + m.group(3), id);
    meter.totals(bytesById.values().stream().mapToLong(Long::longValue).sum(), bytesById.size());
  }

  /** One line of pg_restore's {@code --verbose} output. */
  public synchronized void outputLine(String line) {
    Matcher finished = FINISHED.matcher(line);
    if (finished.find()) {
      markDone(Integer.parseInt(finished.group(1)));
      return;
    }
    Matcher started = STARTED.matcher(line);
    if (started.find()) {
      if (!finishedLines && current != null) {
        markDone(current);
      }
      currentName = started.group(1);
      current = idByName.get(currentName);
      return;
    }
    // Restoring serially, an index or constraint after a table's data means its data are in.
    if (!finishedLines && current != null && CREATING.matcher(line).find()) {
      markDone(current);
      current = null;
    }
  }

  /** The progress now. */
  public synchronized CopyProgress progress() {
    boolean allData = !bytesById.isEmpty() && done.size() >= bytesById.size();
    String stage = allData ? "indexes and constraints" : "data";
    long loading = allData || compressed || inFlight == null ? 0 : inFlight.getAsLong();
    long total = bytesById.values().stream().mapToLong(Long::longValue).sum();
    return meter.update(
        stage, Math.min(bytesDone + loading, total), done.size(), allData ? null : currentName);
  }

  /** The restore has ended well: everything loaded. */
  public synchronized CopyProgress finished() {
    bytesById.keySet().forEach(this::markDone);
    return meter.update("done", bytesDone, done.size(), null);
  }

  @Override
  public void close() {
    if (inFlight != null) {
      inFlight.close();
    }
  }

  private void markDone(int id) {
    if (bytesById.containsKey(id) && done.add(id)) {
      bytesDone += bytesById.get(id);
    }
  }

  private long dataFileBytes(int id) {
    for (String suffix : new String[] {"", ".gz", ".lz4", ".zst"}) {
      Path p = dir.resolve(id + ".dat" + suffix);
      if (Files.isRegularFile(p)) {
        compressed |= !suffix.isEmpty(); // COPY counts uncompressed bytes: not comparable
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0;
        }
      }
    }
    return 0;
  }
}
