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
 * table on the source. Files are read in parallel; plain ({@code .dat}) and gzip ({@code .dat.gz})
 * data files are checksummed, others ({@code .lz4}, {@code .zst}) only digested.
 */
public final class DumpDataChecksums {
  private static final int BUFFER = 1 << 20;

  private DumpDataChecksums() {}

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

  /**
   * Reads every file of the directory once.
   *
   * @param dir the dump directory
   * @param dataFiles each table's data file (quoted table name → file in {@code dir})
   * @param threads files read at once
   * @param tick called on the calling thread every {@code tickMillis} while files are read (it may
   *     throw to cancel)
   */
  public static Result run(
      Path dir, Map<String, Path> dataFiles, int threads, long tickMillis, Runnable tick) {
    Map<Path, String> tableOf = new HashMap<>();
    dataFiles.forEach((table, file) -> tableOf.put(file.toAbsolutePath().normalize(), table));
    List<Path> all = new ArrayList<>(DumpFiles.dumpFiles(dir));
    // Largest first, so the threads end about together.
    all.sort(Comparator.comparingLong(DumpDataChecksums::size).reversed());
    Map<String, DumpFile> files = new ConcurrentHashMap<>();
    Map<String, Table> tables = new ConcurrentHashMap<>();
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.max(1, threads),
            r -> {
              Thread t = new Thread(r, "dump-checksums");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Path file : all) {
        futures.add(
            pool.submit(
                () -> {
                  String table = tableOf.get(file.toAbsolutePath().normalize());
                  read(file, table, files, tables);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        while (true) {
          try {
            f.get(tickMillis, TimeUnit.MILLISECONDS);
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
    } finally {
      pool.shutdownNow();
    }
    List<DumpFile> sorted = new ArrayList<>(files.values());
    sorted.sort(Comparator.comparing(DumpFile::name));
    return new Result(List.copyOf(sorted), Map.copyOf(tables));
  }

  private static void read(
      Path file, String table, Map<String, DumpFile> files, Map<String, Table> tables) {
    String name = file.getFileName().toString();
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    boolean plain = name.endsWith(".dat");
    boolean gzip = name.endsWith(".dat.gz");
    CopyTextChecksum rows = table != null && (plain || gzip) ? new CopyTextChecksum() : null;
    byte[] buffer = new byte[BUFFER];
    long bytes = 0;
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
    files.put(name, new DumpFile(name, bytes, HexFormat.of().formatHex(sha.digest())));
    if (rows != null) {
      rows.close();
      tables.put(table, new Table(name, rows.rows(), rows.checksum()));
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }
}
