package io.signalbox.activities.postgres;

import io.signalbox.activities.backup.DumpFiles;
import io.signalbox.workflows.copy.DumpManifest.DumpFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;

/**
 * One read of a dump directory's files that gives both what the manifest records about each file
 * (size and SHA-256, as {@link DumpFiles#digests}) and, for each table's data file, the rows and
 * the {@link CopyTextChecksum} of its COPY text: the source's content checksums cost a read of the
 * files pg_dump has just written (mostly still in the page cache) instead of a second scan of every
 * table on the source. Files are read in parallel, each as soon as pg_dump reports it written
 * ({@link #written}) or at the end ({@link #finish}); plain ({@code .dat}) and gzip ({@code
 * .dat.gz}) data files are checksummed, others ({@code .lz4}, {@code .zst}) only digested.
 */
public final class DumpDataChecksums implements AutoCloseable {
  private static final int BUFFER = 1 << 20;

  private final ExecutorService pool;
  private final Map<String, Future<FileRead>> reads = new ConcurrentHashMap<>();

  private final boolean rows;

  /**
   * @param threads files read at once
   */
  public DumpDataChecksums(int threads) {
    this(threads, true);
  }

  /**
   * @param threads files read at once
   * @param rows also count and checksum the rows of table data files (else digests only)
   */
  public DumpDataChecksums(int threads, boolean rows) {
    this.rows = rows;
    this.pool =
        Executors.newFixedThreadPool(
            Math.max(1, threads),
            r -> {
              Thread t = new Thread(r, "dump-checksums");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * What one pass found.
   *
   * @param files every file but the manifest, sorted by name, as {@link DumpFiles#digests}
   * @param tables per table (quoted name) its data file's rows and checksum; tables whose file
   *     could not be checksummed are absent
   */
  public record Result(List<DumpFile> files, Map<String, Table> tables) {}

  /**
   * One table's data file.
   *
   * @param file the file name
   * @param rows rows in it
   * @param checksum its {@link CopyTextChecksum}
   */
  public record Table(String file, long rows, String checksum) {}

  /** One file: its digest, and its rows when it is a table data file. */
  private record FileRead(DumpFile file, Long rows, String checksum) {}

  /** Reads the directory's files in one pass (see {@link #finish}). */
  public static Result run(
      Path dir, Map<String, Path> dataFiles, int threads, long tickMillis, Runnable tick) {
    try (DumpDataChecksums reader = new DumpDataChecksums(threads)) {
      return reader.finish(dir, dataFiles, tickMillis, tick);
    }
  }

  /**
   * Starts reading a file that will not change any more (pg_dump has written it), while pg_dump
   * goes on with others. Returns at once; a file handed in twice is read once.
   */
  public void written(Path file) {
    String name = file.getFileName().toString();
    try {
      reads.computeIfAbsent(name, n -> pool.submit(() -> read(file, rows)));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed: the dump failed or was cancelled
    }
  }

  /**
   * Reads the files not read yet, waits for all, and matches the data files to their tables.
   *
   * @param dir the dump directory
   * @param dataFiles each table's data file (quoted table name → file in {@code dir})
   * @param tickMillis how often {@code tick} is called while files are read
   * @param tick called on the calling thread while files are read (it may throw to cancel)
   */
  public Result finish(Path dir, Map<String, Path> dataFiles, long tickMillis, Runnable tick) {
    List<Path> all = new ArrayList<>(DumpFiles.dumpFiles(dir));
    // Largest first, so the threads end about together.
    all.sort(Comparator.comparingLong(DumpDataChecksums::size).reversed());
    all.forEach(this::written);
    Map<String, FileRead> done = new HashMap<>();
    try {
      for (Path file : all) {
        String name = file.getFileName().toString();
        Future<FileRead> f = reads.get(name);
        while (true) {
          try {
            done.put(name, f.get(tickMillis, TimeUnit.MILLISECONDS));
            break;
          } catch (TimeoutException e) {
            if (tick != null) {
              tick.run();
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the dump", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u;
      }
      throw new IllegalStateException("reading the dump failed: " + e.getCause(), e.getCause());
    }
    List<DumpFile> files = new ArrayList<>();
    done.values().forEach(r -> files.add(r.file()));
    files.sort(Comparator.comparing(DumpFile::name));
    Map<String, Table> tables = new HashMap<>();
    dataFiles.forEach(
        (table, file) -> {
          FileRead r = done.get(file.getFileName().toString());
          if (r != null && r.rows() != null) {
            tables.put(table, new Table(r.file().name(), r.rows(), r.checksum()));
          }
        });
    return new Result(List.copyOf(files), Map.copyOf(tables));
  }

  /** Stops reading (files still queued are not read). */
  @Override
  public void close() {
    pool.shutdownNow();
  }

  private static FileRead read(Path file, boolean withRows) {
    String name = file.getFileName().toString();
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    boolean plain = name.endsWith(".dat");
    boolean gzip = name.endsWith(".dat.gz");
    boolean tableData = name.matches("\\d+\\.dat(\\.gz)?");
    CopyTextChecksum rows =
        withRows && tableData && (plain || gzip) ? new CopyTextChecksum() : null;
    byte[] buffer = new byte[BUFFER];
    long bytes;
    try (InputStream raw = Files.newInputStream(file);
        DigestInputStream in = new DigestInputStream(raw, sha)) {
      if (rows != null && gzip) {
        // The digest sees the compressed bytes, the checksum the rows.
        GZIPInputStream unzipped = new GZIPInputStream(in, BUFFER);
        int n;
        while ((n = unzipped.read(buffer)) > 0) {
          rows.write(buffer, 0, n);
        }
        while (in.read(buffer) > 0) {
          // the rest after the gzip stream, if any, is digested too
        }
      } else {
        int n;
        while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
          if (rows != null) {
            rows.write(buffer, 0, n);
          }
        }
      }
      bytes = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    DumpFile digest = new DumpFile(name, bytes, HexFormat.of().formatHex(sha.digest()));
    if (rows == null) {
      return new FileRead(digest, null, null);
    }
    rows.close();
    return new FileRead(digest, rows.rows(), rows.checksum());
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }
}
