package io.signalbox.activities.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A temporary pgpass file (mode 0600) holding one password for one host, port, database and user,
 * handed to a pg tool through {@code PGPASSFILE}, so the password never appears in an argv, and is
 * deleted on {@link #close()}. Without a password it holds nothing and adds no environment.
 */
final class PgPassFile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PgPassFile.class);

  private final Path file;

  private PgPassFile(Path file) {
    this.file = file;
  }

  /**
   * @param database the database name, or null for any ({@code *}): pg_restore and pg_dump connect
   *     to one database only, but a wildcard costs nothing when the file lives for one command
   */
  static PgPassFile create(String host, int port, String database, String user, String password) {
    if (password == null) {
      return new PgPassFile(null);
    }
    if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a password with a line break cannot go in a pgpass file");
    }
    String line =
        escape(host)
            + ":"
            + port
            + ":"
            + (database == null ? "*" : escape(database))
            + ":"
            + escape(user)
            + ":"
            + escape(password)
            + "\n";
    try {
      // Created with 0600 from the start: libpq ignores a group- or world-readable pgpass file.
      Path path =
          Files.createTempFile(
              "signalbox-",
              ".pgpass",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(path, line, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      return new PgPassFile(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a temporary pgpass file", e);
    }
  }

  /** {@code PGPASSFILE} pointing at the file, or nothing when there is no password. */
  Map<String, String> environment() {
    return file == null ? Map.of() : Map.of("PGPASSFILE", file.toString());
  }

  Path path() {
    return file;
  }

  @Override
  public void close() {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("cannot delete temporary pgpass file {}: {}", file, e.getMessage());
    }
  }

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace(":", "\\:");
  }
}
