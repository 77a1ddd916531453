package io.signalbox.activities.input;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.signalbox.workflows.core.InputActivities.SearchAttributesRequest;
import io.signalbox.workflows.core.InputActivities.ValidationRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class InputActivitiesImplTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final InputActivitiesImpl validator = new InputActivitiesImpl();

  private List<String> errors(String json) throws Exception {
    return validator.validate(new ValidationRequest("ProbeRunbook", JSON.readTree(json))).errors();
  }

  @Test
  void aValidInputHasNoErrors() throws Exception {
    assertThat(
            errors(
                """
                {"requestedBy": "alice", "dryRun": true,
                 "approvals": {"approvers": ["bob"], "minApprovals": 1, "timeout": "PT24H"},
                 "database": {"host": "db", "port": 5432, "database": "gitea", "user": "gitea",
                              "password": {"env": "GITEA_DB_PASSWORD"}, "sslmode": "require"}}
                """))
        .isEmpty();
  }

  @Test
  void aLiteralPasswordIsRefusedWithHowToReferenceIt() throws Exception {
    List<String> errors =
        errors(
            """
            {"requestedBy": "alice",
             "database": {"host": "db", "database": "gitea", "user": "gitea", "password": "hunter2"}}
            """);
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0))
        .startsWith("$.database.password: a literal password is refused")
        .contains("{\"env\": \"VAR\"}")
        .doesNotContain("hunter2");
  }

  @Test
  void aMissingRequiredFieldIsNamed() throws Exception {
    assertThat(errors("{\"database\": {\"host\": \"db\", \"database\": \"g\", \"user\": \"g\"}}"))
        .containsExactly("$.requestedBy: is required but missing");
  }

  @Test
  void aWrongTypeIsNamed() throws Exception {
    List<String> errors =
        errors(
            """
            {"requestedBy": "alice",
             "database": {"host": "db", "port": "5432", "database": "g", "user": "g"}}
            """);
    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith("$.database.port: ")
        .contains("integer");
  }

  @Test
  void anUnknownFieldIsNamed() throws Exception {
    assertThat(
            errors(
                """
                {"requestedBy": "alice", "dryrun": true,
                 "database": {"host": "db", "database": "g", "user": "g"}}
                """))
        .containsExactly("$.dryrun: is not a known field here (check its spelling)");
  }

  @Test
  void aSecretReferenceNamesExactlyOneSource() throws Exception {
    List<String> errors =
        errors(
            """
            {"requestedBy": "alice",
             "database": {"host": "db", "database": "g", "user": "g",
                          "password": {"env": "A", "file": "/b"}}}
            """);
    assertThat(errors)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e).startsWith("$.database.password"));
  }

  @Test
  void aBadDurationIsNamed() throws Exception {
    List<String> errors =
        errors(
            """
            {"requestedBy": "alice", "approvals": {"timeout": "24 hours"},
             "database": {"host": "db", "database": "g", "user": "g"}}
            """);
    assertThat(errors).singleElement().asString().startsWith("$.approvals.timeout: ");
  }

  @Test
  void anInputThatIsNotAnObjectIsRefused() throws Exception {
    assertThat(errors("\"just a string\"")).singleElement().asString().startsWith("$: ");
    assertThat(validator.validate(new ValidationRequest("ProbeRunbook", null)).errors())
        .containsExactly("$: no input given; ProbeRunbook takes a JSON object");
  }

  @Test
  void anUnknownRunbookTypeIsRefusedWithTheKnownOnes() throws Exception {
    List<String> errors =
        validator.validate(new ValidationRequest("GiteaDbMigrashun", JSON.readTree("{}"))).errors();
    assertThat(errors)
        .singleElement()
        .asString()
        .startsWith("unknown runbook type 'GiteaDbMigrashun'; known: ");
  }

  @Test
  void runbookTypesMapToKebabCaseFolders() {
    assertThat(InputActivitiesImpl.schemaPath("GiteaDbMigration"))
        .isEqualTo("runbooks/gitea-db-migration/input.schema.json");
    assertThat(InputActivitiesImpl.exists("ProbeRunbook")).isTrue();
    assertThat(InputActivitiesImpl.exists("NoSuchRunbook")).isFalse();
  }

  // ------------------------------------------------------------ bounded strings

  private static final String MEGABYTE = "x".repeat(1 << 20);

  @Test
  void aMegabyteRequestedByIsRefusedWithoutEchoingIt() throws Exception {
    ObjectNode input =
        (ObjectNode)
            JSON.readTree(
                "{\"database\": {\"host\": \"db\", \"database\": \"g\", \"user\": \"g\"}}");
    input.put("requestedBy", MEGABYTE);
    List<String> errors = validator.validate(new ValidationRequest("ProbeRunbook", input)).errors();
    assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("$.requestedBy: ").contains("200"));
    assertThat(String.join("\n", errors)).hasSizeLessThan(2_000);
  }

  @Test
  void longNamesDurationsAndIdentifiersAreRefused() throws Exception {
    ObjectNode input =
        (ObjectNode)
            JSON.readTree(
                "{\"requestedBy\": \"alice\", \"approvals\": {}, \"database\": {\"host\": \"db\", \"user\": \"g\"}}");
    ((ObjectNode) input.get("approvals")).putArray("approvers").add("a".repeat(201));
    ((ObjectNode) input.get("approvals")).put("timeout", "PT" + "9".repeat(100) + "H");
    ((ObjectNode) input.get("database")).put("database", "d".repeat(64));
    List<String> errors = validator.validate(new ValidationRequest("ProbeRunbook", input)).errors();
    assertThat(errors)
        .anySatisfy(e -> assertThat(e).startsWith("$.approvals.approvers[0]: "))
        .anySatisfy(e -> assertThat(e).startsWith("$.approvals.timeout: "))
        .anySatisfy(e -> assertThat(e).startsWith("$.database.database: ").contains("63"));
  }

  @Test
  void aMegabyteFieldNameOrPasswordPathIsCutInTheErrors() throws Exception {
    ObjectNode input =
        (ObjectNode)
            JSON.readTree(
                "{\"requestedBy\": \"alice\", \"database\": {\"host\": \"db\", \"database\": \"g\", \"user\": \"g\"}}");
    input.put(MEGABYTE, true);
    input.putObject("nested" + MEGABYTE).put("password", "hunter2");
    List<String> errors = validator.validate(new ValidationRequest("ProbeRunbook", input)).errors();
    assertThat(errors).isNotEmpty().allSatisfy(e -> assertThat(e).hasSizeLessThanOrEqualTo(500));
    assertThat(errors).anySatisfy(e -> assertThat(e).contains("is not a known field here"));
  }

  @Test
  void aHugeInputIsRefusedAsAWhole() throws Exception {
    ObjectNode input =
        (ObjectNode)
            JSON.readTree(
                "{\"requestedBy\": \"alice\", \"database\": {\"host\": \"db\", \"database\": \"g\", \"user\": \"g\"}}");
    input.put("label", MEGABYTE);
    assertThat(validator.validate(new ValidationRequest("ProbeRunbook", input)).errors())
        .anySatisfy(e -> assertThat(e).startsWith("$: the input has ").contains("at most 262144"))
        .allSatisfy(e -> assertThat(e).hasSizeLessThanOrEqualTo(500));
  }

  @Test
  void manyErrorsAreCappedWithACount() throws Exception {
    ObjectNode input =
        (ObjectNode)
            JSON.readTree(
                "{\"requestedBy\": \"alice\", \"database\": {\"host\": \"db\", \"database\": \"g\", \"user\": \"g\"}}");
    for (int i = 0; i < 500; i++) {
      input.put("unknown" + i, i);
    }
    List<String> errors = validator.validate(new ValidationRequest("ProbeRunbook", input)).errors();
    assertThat(errors).hasSize(51);
    assertThat(errors.get(50)).isEqualTo("… and 450 more errors");
  }

  @Test
  void itAnswersWhichSearchAttributesTheWorkerFoundAndNoneByDefault() {
    SearchAttributesRequest asked = new SearchAttributesRequest(List.of("SignalboxPhase", "Other"));
    assertThat(new InputActivitiesImpl().registeredSearchAttributes(asked).registered()).isEmpty();
    assertThat(
            new InputActivitiesImpl(() -> java.util.Set.of("SignalboxPhase", "SignalboxStep"))
                .registeredSearchAttributes(asked)
                .registered())
        .containsExactly("SignalboxPhase");
  }
}
