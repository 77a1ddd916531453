package io.signalbox.activities.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.core.InputActivities.ValidationRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every input example in {@code runbooks/<name>/} is valid for its runbook, and every runbook
 * folder has a README and a schema: the docs are what operators paste into the UI.
 */
class RunbookExamplesTest {
  private static final Path RUNBOOKS = Path.of("..", "runbooks");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code gitea-db-migration} → {@code GiteaDbMigration}. */
  static String type(String folder) {
    StringBuilder out = new StringBuilder();
    for (String part : folder.split("-")) {
      out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return out.toString();
  }

  private static List<Path> runbookFolders() throws IOException {
    try (Stream<Path> dirs = Files.list(RUNBOOKS)) {
      return dirs.filter(Files::isDirectory)
          .filter(d -> !d.getFileName().toString().equals("common"))
          .sorted()
          .toList();
    }
  }

  @Test
  void everyExampleInputIsValidForItsRunbook() throws IOException {
    List<String> checked = new ArrayList<>();
    InputActivitiesImpl validator = new InputActivitiesImpl();
    for (Path folder : runbookFolders()) {
      String type = type(folder.getFileName().toString());
      assertThat(InputActivitiesImpl.kebab(type)).isEqualTo(folder.getFileName().toString());
      try (Stream<Path> files = Files.list(folder)) {
        for (Path example :
            files
                .filter(f -> f.toString().endsWith(".json"))
                .filter(f -> !f.getFileName().toString().equals("input.schema.json"))
                .sorted()
                .toList()) {
          List<String> errors =
              validator
                  .validate(new ValidationRequest(type, JSON.readTree(example.toFile())))
                  .errors();
          assertThat(errors).as(example.toString()).isEmpty();
          checked.add(RUNBOOKS.relativize(example).toString());
        }
      }
    }
    assertThat(checked).contains("gitea-db-migration/railiance.json", "postgres-copy/local.json");
  }

  @Test
  void everyRunbookFolderHasAReadmeAndASchemaKnownToTheValidator() throws IOException {
    List<Path> folders = runbookFolders();
    assertThat(folders).isNotEmpty();
    for (Path folder : folders) {
      assertThat(folder.resolve("README.md")).as("README of " + folder).isRegularFile();
      assertThat(folder.resolve("input.schema.json")).isRegularFile();
      assertThat(InputActivitiesImpl.exists(type(folder.getFileName().toString())))
          .as("schema of %s on the classpath", folder)
          .isTrue();
    }
  }
}
