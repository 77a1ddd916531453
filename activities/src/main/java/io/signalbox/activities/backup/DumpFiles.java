package io.signalbox.activities.backup;

import io.signalbox.workflows.copy.DumpManifest;
import io.signalbox.workflows.copy.DumpManifest.DumpFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The size and SHA-256 of every file of a dump directory: recorded in the manifest when a dump is
 * written, checked before a dump is restored, so a damaged, truncated or missing file is named
 * before a long restore (and a changed byte that pg_restore would load without complaint is caught
 * at all).
 */
public final class DumpFiles {
  private static final int BUFFER = 1 << 20;

  private DumpFiles() {}

  /**
   * The manifest with the digests of the dump directory's files (the manifest itself excluded).
   *
   * @param tick called after each mebibyte hashed, so a caller can report progress; may be null
   */
  public static DumpManifest withDigests(DumpManifest manifest, Path dir, Runnable tick) {
    return manifest.withFiles(digests(dir, tick));
  }

  /** Every file of the directory but the manifest, by name, with its size and SHA-256. */
  public static List<DumpFile> digests(Path dir, Runnable tick) {
    List<DumpFile> files = new ArrayList<>();
    for (Path file : dumpFiles(dir)) {
      try {
        files.add(
            new DumpFile(file.getFileName().toString(), Files.size(file), sha256(file, tick)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
    return files;
  }

  /**
   * A recorded file that is not as the manifest says.
   *
   * @param name the file name
   * @param what what is wrong, e.g. {@code is missing}
   */
  public record Problem(String name, String what) {
    /** One sentence naming the file, and its table when known. */
    public String describe(Map<String, String> tables) {
      String table = tables.get(name);
      return (table == null ? "file " + name : "data file " + name + " (table " + table + ")")
          + " "
          + what;
    }
  }

  /**
   * What differs between the recorded files and the directory: each file that is missing, of
   * another size or with another SHA-256. Files the manifest does not list are not checked
   * (pg_restore reads only what its table of contents names). Empty when all match.
   */
  public static List<Problem> problems(List<DumpFile> recorded, Path dir, Runnable tick) {
    List<Problem> problems = new ArrayList<>();
    for (DumpFile want : recorded) {
      Path file = dir.resolve(want.name()).normalize();
      if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
        problems.add(new Problem(want.name(), "is missing"));
        continue;
      }
      try {
        long size = Files.size(file);
        if (size != want.bytes()) {
          problems.add(
              new Problem(
                  want.name(),
                  (size < want.bytes() ? "is truncated: " : "has the wrong size: ")
                      + size
                      + " bytes, the manifest recorded "
                      + want.bytes()));
        } else if (!sha256(file, tick).equals(want.sha256())) {
          problems.add(
              new Problem(
                  want.name(), "is damaged: its SHA-256 differs from the manifest's (same size)"));
        }
      } catch (IOException e) {
        problems.add(new Problem(want.name(), "cannot be read: " + e.getMessage()));
      }
    }
    return problems;
  }

  /** The regular files of the directory but the manifest (and its temporary), sorted by name. */
  public static List<Path> dumpFiles(Path dir) {
    Set<String> skip = Set.of(DumpManifest.FILE_NAME, DumpManifest.FILE_NAME + ".tmp");
    Map<String, Path> byName = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isRegularFile)
          .filter(p -> !skip.contains(p.getFileName().toString()))
          .forEach(p -> byName.put(p.getFileName().toString(), p));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return List.copyOf(byName.values());
  }

  static String sha256(Path file, Runnable tick) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    byte[] buffer = new byte[BUFFER];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
        digest.update(buffer, 0, n);
        if (tick != null) {
          tick.run();
        }
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
