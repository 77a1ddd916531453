package io.signalbox.activities.copy;

import io.signalbox.workflows.core.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The directories a worker may write dumps under ({@code signalbox.dump-roots}), and the one rule
 * for a path that comes from a run's input ({@code copy.dumpDir}, {@code backup.path}): it must be
 * absolute, normalized (no {@code .} or {@code ..} segment), free of control characters, of a sane
 * length, and inside one of the roots once the symbolic links of its existing part are resolved. So
 * neither {@code ../../etc}, nor {@code /var/dumps/../etc}, nor {@code /var/dumps-evil} next to a
 * root {@code /var/dumps}, nor a link inside a root that points out of it, makes the worker write
 * or read anywhere else.
 *
 * <p>Anything else is a non-retryable {@code InvalidInput} naming the field and listing the roots.
 * The check resolves links as they are now; the roots are the operator's, not the input's, so a
 * link swapped in between the check and the write is out of scope.
 */
public final class DumpRoots {
  /** Linux's PATH_MAX (4096 with its NUL): a longer path cannot be opened anyway. */
  static final int MAX_PATH_BYTES = 4095;

  /** Linux's NAME_MAX. */
  static final int MAX_SEGMENT_BYTES = 255;

  /** How much of a refused value a message quotes. */
  private static final int QUOTED = 120;

  private final List<Path> roots;

  /**
   * @param roots absolute directories (they need not exist yet); duplicates are ignored
   * @throws IllegalArgumentException when there is none or one is relative
   */
  public DumpRoots(Collection<Path> roots) {
    if (roots == null || roots.isEmpty()) {
      throw new IllegalArgumentException("at least one dump root is required");
    }
    LinkedHashSet<Path> normalized = new LinkedHashSet<>();
    for (Path root : roots) {
      if (root == null || !root.isAbsolute()) {
        throw new IllegalArgumentException("a dump root must be an absolute path: " + root);
      }
      normalized.add(root.normalize());
    }
    this.roots = List.copyOf(normalized);
  }

  /** The given roots. */
  public static DumpRoots of(Path... roots) {
    return new DumpRoots(List.of(roots));
  }

  /** The roots, normalized, in the configured order. */
  public List<Path> roots() {
    return roots;
  }

  /**
   * Checks a directory under which the worker will write (it need not exist yet).
   *
   * @param field the input field, for the message (e.g. {@code copy.dumpDir})
   * @param value the path as the input gives it
   * @return the path with the symbolic links of its existing part resolved
   * @throws ApplicationFailure {@code InvalidInput} naming {@code field} and the roots
   */
  public Path resolve(String field, String value) {
    return inside(field, value, parse(field, value));
  }

  /**
   * Checks a path the worker built itself (a checked directory joined with safe names), so that a
   * link planted inside a root cannot lead the write out of it.
   *
   * @see #resolve(String, String)
   */
  public Path resolve(String field, Path path) {
    return resolve(field, path.toString());
  }

  /**
   * Checks an existing dump directory given by the input (e.g. {@code backup.path}): the rule of
   * {@link #resolve(String, String)}, and it must be a directory that exists now.
   *
   * @return its real path
   * @throws ApplicationFailure {@code InvalidInput} naming {@code field}
   */
  public Path existingDirectory(String field, String value) {
    Path real = resolve(field, value);
    if (!Files.isDirectory(real)) {
      throw FailureType.INVALID_INPUT.failure(
          field
              + " "
              + quote(value)
              + " is not an existing directory on this worker: give the directory of a dump"
              + " inside "
              + roots);
    }
    return real;
  }

  /** Whether the path lies inside a root (after resolving links), without a failure. */
  public boolean contains(Path path) {
    try {
      resolve("path", path);
      return true;
    } catch (ApplicationFailure e) {
      return false;
    }
  }

  private Path parse(String field, String value) {
    if (value == null || value.isBlank()) {
      throw refused(field, value, "is empty");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw refused(field, value, "contains a control character (NUL, newline, …)");
    }
    if (value.getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
      throw refused(field, value, "is longer than " + MAX_PATH_BYTES + " bytes");
    }
    Path path;
    try {
      path = Path.of(value);
    } catch (InvalidPathException e) {
      throw refused(field, value, "is not a valid path (" + e.getReason() + ")");
    }
    if (!path.isAbsolute()) {
      throw refused(field, value, "is not an absolute path");
    }
    for (Path segment : path) {
      String name = segment.toString();
      if (name.equals(".") || name.equals("..")) {
        throw refused(field, value, "is not normalized (it has a '" + name + "' segment)");
      }
      if (name.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
        throw refused(field, value, "has a name longer than " + MAX_SEGMENT_BYTES + " bytes");
      }
    }
    return path;
  }

  private Path inside(String field, String value, Path path) {
    Path real = real(path).orElseThrow(() -> refused(field, value, "has a dangling symbolic link"));
    for (Path root : roots) {
      // Path.startsWith compares whole segments: /var/dumps-evil is not inside /var/dumps.
      Optional<Path> realRoot = real(root);
      if (realRoot.isPresent() && real.startsWith(realRoot.get())) {
        return real;
      }
    }
    String how = real.equals(path) ? "is outside" : "resolves to " + real + ", outside";
    throw refused(field, value, how + " the worker's dump roots");
  }

  /**
   * The real path of the longest existing prefix (links resolved) with the rest appended; empty
   * when a link in it points nowhere (it could later be made to point anywhere).
   */
  private static Optional<Path> real(Path path) {
    Path existing = path;
    List<Path> rest = new ArrayList<>();
    while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
      rest.add(0, existing.getFileName());
      existing = existing.getParent();
    }
    if (existing == null) {
      return Optional.of(path);
    }
    try {
      Path real = existing.toRealPath();
      for (Path p : rest) {
        real = real.resolve(p);
      }
      return Optional.of(real);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private ApplicationFailure refused(String field, String value, String why) {
    return FailureType.INVALID_INPUT.failure(
        field
            + " "
            + quote(value)
            + " "
            + why
            + ": give an absolute, normalized path inside one of the worker's dump roots "
            + roots
            + " (signalbox.dump-roots).");
  }

  private static String quote(String value) {
    if (value == null) {
      return "(none)";
    }
    StringBuilder s = new StringBuilder("\"");
    value
        .codePoints()
        .limit(QUOTED)
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                s.append(String.format("\\u%04x", c));
              } else {
                s.appendCodePoint(c);
              }
            });
    if (value.codePointCount(0, value.length()) > QUOTED) {
      s.append("…");
    }
    return s.append('"').toString();
  }
}
