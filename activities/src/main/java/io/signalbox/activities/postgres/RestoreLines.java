package io.signalbox.activities.postgres;

/**
 * Listens to what pg_restore says while a restore runs, for progress: each line of the dump's table
 * of contents ({@code pg_restore --list}) before the restore, then each line of pg_restore's {@code
 * --verbose} output (on the thread that reads it).
 */
public interface RestoreLines {
  /** No listener. */
  RestoreLines NONE =
      new RestoreLines() {
        @Override
        public void tocLine(String line) {}

        @Override
        public void outputLine(String line) {}
      };

  /** One line of {@code pg_restore --list}. */
  void tocLine(String line);

  /** One line of pg_restore's verbose output. */
  void outputLine(String line);
}
