package io.signalbox.activities.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbox.workflows.core.EvidenceActivities.EvidenceInput;
import io.signalbox.workflows.core.EvidenceActivities.EvidenceRef;
import io.signalbox.workflows.core.RunbookResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Without a database (the dev profile), evidence is still written: as files. */
class EvidenceFilesOnlyTest {
  @TempDir Path dir;

  @Test
  void withoutADatabaseEvidenceIsWrittenAsFiles() throws Exception {
    EvidenceRef ref =
        new EvidenceActivitiesImpl(null, dir)
            .record(
                new EvidenceInput(
                    "gitea-db-migration-1",
                    "run-1",
                    "2026-03-26T10:00:00Z",
                    "2026-03-26T10:01:00Z",
                    new RunbookResult(
                        "COMPLETED",
                        "PostgresCopy",
                        null,
                        null,
                        null,
                        List.of(),
                        List.of(),
                        null,
                        "Completed.",
                        false,
                        "alice")));
    assertThat(ref.evidenceId()).isEqualTo("gitea-db-migration-1/run-1");
    assertThat(Path.of(ref.markdownPath())).startsWith(dir).exists();
    assertThat(Files.readString(Path.of(ref.jsonPath())))
        .contains("\"outcome\" : \"COMPLETED\"")
        .contains("alice");
  }

  @Test
  void evidenceNeedsADatabaseOrADirectory() {
    assertThatThrownBy(() -> new EvidenceActivitiesImpl(null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a database, a directory or both");
  }
}
