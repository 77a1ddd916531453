package io.signalbox.activities.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.workflows.core.InputActivities.ValidationRequest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DrRehearsal's input schema: the examples pass, and a bad input names each bad field. */
class DrRehearsalInputSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final InputActivitiesImpl validator = new InputActivitiesImpl();

  private List<String> errors(String json) throws IOException {
    return validator.validate(new ValidationRequest("DrRehearsal", JSON.readTree(json))).errors();
  }

  @Test
  void theExamplesAreValid() throws IOException {
    for (String example : List.of("local.json", "cluster.json")) {
      Path file = Path.of("..", "runbooks", "dr-rehearsal", example);
      assertThat(
              validator
                  .validate(new ValidationRequest("DrRehearsal", JSON.readTree(file.toFile())))
                  .errors())
          .as(example)
          .isEmpty();
    }
  }

  @Test
  void aBadInputNamesEachBadField() throws IOException {
    List<String> errors =
        errors(
            """
            {"requestedBy": "x", "parallelism": 0, "maxAge": "30 days",
             "databases": [{"database": {"host": "h", "database": "d", "user": "u"},
                            "backup": {"path": "/x", "takeNew": true},
                            "scratch": {"host": "h", "database": "postgres", "user": "u",
                                        "password": "secret"},
                            "requestedBy": "y"}]}
            """);

    assertThat(String.join("\n", errors))
        .contains("$.parallelism")
        .contains("$.maxAge")
        .contains("$.databases[0].backup")
        .contains("$.databases[0].requestedBy: is not a known field here")
        .contains("$.databases[0].scratch.password: a literal password is refused");
  }

  @Test
  void databasesAreRequiredAndNotEmpty() throws IOException {
    assertThat(errors("{\"requestedBy\": \"x\"}")).contains("$.databases: is required but missing");
    assertThat(String.join("\n", errors("{\"requestedBy\": \"x\", \"databases\": []}")))
        .contains("$.databases");
  }
}
