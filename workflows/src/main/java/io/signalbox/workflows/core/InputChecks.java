package io.signalbox.workflows.core;

import java.time.Duration;
import java.util.List;

/**
 * Checks of values that pass the input schema but cannot work, shared by the runbooks' {@link
 * RunbookInput#problems()}. Each problem is one line: the field's JSON path, what is wrong, what to
 * do.
 */
public final class InputChecks {
  private InputChecks() {}

  /**
   * Parses an optional ISO-8601 duration and checks it is positive and at most {@code max}.
   *
   * @param field the JSON path, e.g. {@code $.healthCheck.timeout}
   * @param value the input's value, or null
   * @param fallback what an absent value means (returned as is)
   * @param max the longest that can work
   * @param why why {@code max} is the limit, e.g. "the health check step is cut off after PT40M"
   * @param problems where a problem is added
   * @return the duration, or null when it is absent without fallback or has a problem
   */
  public static Duration duration(
      String field,
      String value,
      Duration fallback,
      Duration max,
      String why,
      List<String> problems) {
    if (value == null) {
      return fallback;
    }
    Duration d;
    try {
      d = Duration.parse(value);
    } catch (RuntimeException e) {
      // The schema's pattern lets through what java.time cannot hold (e.g.
      // PT99999999999999999999H).
      problems.add(
          field
              + ": '"
              + Limits.cut(value, 64)
              + "' is not a usable ISO-8601 duration such as PT5M");
      return null;
    }
    if (d.isZero() || d.isNegative()) {
      problems.add(field + ": " + value + " must be longer than zero");
      return null;
    }
    if (max != null && d.compareTo(max) > 0) {
      problems.add(
          field + ": " + value + " is longer than " + max + ", the most that works: " + why);
      return null;
    }
    return d;
  }
}
