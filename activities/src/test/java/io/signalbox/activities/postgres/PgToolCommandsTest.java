package io.signalbox.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@link PgToolCommands#lastLines}: a failure message without the tools' progress lines. */
class PgToolCommandsTest {

  @Test
  void aFailedVerboseDumpIsDescribedByItsErrorsNotItsProgress() {
    String stderr =
        String.join(
            "\n",
            "pg_dump: last built-in OID is 16383",
            "pg_dump: reading extensions",
            "pg_dump: dumping contents of table \"public.comment\"",
            "pg_dump: finished item 3581 TABLE DATA comment",
            "pg_dump: error: Dumping the contents of table \"action\" failed: PQgetResult()"
                + " failed.",
            "pg_dump: detail: Error message from server: ERROR:  canceling statement",
            "pg_dump: dumping contents of table \"public.issue\"",
            "pg_dump: hint: see the server log",
            "pg_dump: warning: could not close worker");

    assertThat(PgToolCommands.lastLines(stderr, 6))
        .isEqualTo(
            String.join(
                "\n",
                "pg_dump: error: Dumping the contents of table \"action\" failed: PQgetResult()"
                    + " failed.",
                "pg_dump: detail: Error message from server: ERROR:  canceling statement",
                "pg_dump: hint: see the server log",
                "pg_dump: warning: could not close worker"));
  }
}
