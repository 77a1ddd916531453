package io.signalbox.workflows.core;

/**
 * The longest strings Signalbox keeps from what people type. The input schemas say the same with
 * {@code maxLength} ({@code runbooks/common/definitions.schema.json}); signals are not checked
 * against a schema, so the runbook applies these to them: a name that is too long is refused, a
 * comment or reason that is too long is cut with a marker. Status, history and evidence never carry
 * a megabyte someone pasted.
 */
public final class Limits {
  private Limits() {}

  /** A person's or a gate's name: {@code requestedBy}, {@code approvers}, a signal's {@code by}. */
  public static final int NAME = 200;

  /** A comment, reason or prompt. */
  public static final int TEXT = 2000;

  /** A PostgreSQL identifier (database, user): NAMEDATALEN - 1. */
  public static final int IDENTIFIER = 63;

  /** A file system path. */
  public static final int PATH = 4096;

  /** A URL. */
  public static final int URL = 2048;

  /** {@code s} cut to {@code max} characters with a marker that says how long it was. */
  public static String cut(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    String marker = "… [cut: " + s.length() + " characters]";
    int keep = Math.max(0, max - marker.length());
    return s.substring(0, keep) + marker;
  }

  /** Whether {@code s} is longer than {@code max}. */
  public static boolean tooLong(String s, int max) {
    return s != null && s.length() > max;
  }
}
