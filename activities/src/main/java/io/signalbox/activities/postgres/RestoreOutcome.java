package io.signalbox.activities.postgres;

import java.util.List;

/**
 * A finished restore.
 *
 * @param target {@code user@host:port/database}
 * @param argv the pg_restore argv (no password), empty when nothing had to be restored
 * @param preparation what was found in the target before restoring
 * @param tablesRestored tables whose data was loaded
 * @param durationMillis how long pg_restore ran
 * @param stderrTail the end of pg_restore's verbose output
 */
public record RestoreOutcome(
    String target,
    List<String> argv,
    RestorePreparation preparation,
    int tablesRestored,
    long durationMillis,
    String stderrTail) {

  /**
   * What the target held before this attempt restored into it.
   *
   * <ul>
   *   <li>{@code EMPTY}: nothing; marked as this copy's and restored
   *   <li>{@code CLEANED_EARLIER_ATTEMPT}: an earlier attempt of this copy had written into it; its
   *       objects were dropped before restoring again
   *   <li>{@code ALREADY_RESTORED}: an earlier attempt of this copy had finished; nothing was done
   *   <li>{@code NON_EMPTY_ALLOWED}: user objects that {@code allowNonEmpty} let through; restored
   *       on top, not cleaned
   * </ul>
   */
  public enum RestorePreparation {
    EMPTY,
    CLEANED_EARLIER_ATTEMPT,
    ALREADY_RESTORED,
    NON_EMPTY_ALLOWED
  }
}
