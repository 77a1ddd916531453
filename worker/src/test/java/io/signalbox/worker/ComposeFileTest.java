package io.signalbox.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.signalbox.activities.input.InputActivitiesImpl;
import io.signalbox.workflows.core.InputActivities;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * No Docker engine runs where the tests run, so this reads docker-compose.yml (and the Dockerfile)
 * and checks what `docker compose up` relies on: the services, their images, ports and start order,
 * the worker's and the UI's connection to Temporal, the UI's write actions, the mounted files, that
 * the worker's host task queue and dumps survive a recreated container, and that no password is
 * written into the file.
 */
class ComposeFileTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern FROM_ENVIRONMENT = Pattern.compile("\\$\\{[A-Z_]+(:-[^}]*)?}");

  private static Map<String, Object> services;
  private static Map<String, Object> volumes;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void parse() throws IOException {
    Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
    Map<String, Object> compose = yaml.load(Files.readString(ROOT.resolve("docker-compose.yml")));
    services = (Map<String, Object>) compose.get("services");
    volumes = (Map<String, Object>) compose.get("volumes");
  }

  @Test
  void hasTheWholeStack() {
    assertThat(services)
        .containsKeys(
            "postgresql",
            "temporal-schema",
            "temporal",
            "temporal-namespace",
            "temporal-ui",
            "worker",
            "source-db",
            "target-db");
  }

  @Test
  void usesOfficialImages() {
    assertThat(image("postgresql")).startsWith("postgres:");
    assertThat(image("temporal")).startsWith("temporalio/server:");
    assertThat(image("temporal-schema")).startsWith("temporalio/admin-tools:");
    assertThat(image("temporal-namespace")).startsWith("temporalio/admin-tools:");
    assertThat(image("temporal-ui")).startsWith("temporalio/ui:");
    assertThat(image("source-db")).startsWith("postgres:");
    assertThat(image("target-db")).startsWith("postgres:");
    assertThat(service("worker").get("build")).isEqualTo(".");
  }

  @Test
  void publishesTheUiOn8080AndTemporalOn7233() {
    assertThat(ports("temporal-ui")).contains("8080:8080");
    assertThat(ports("temporal")).contains("7233:7233");
    assertThat(ports("worker")).contains("8081:8081");
  }

  @Test
  void startsInOrder() {
    assertThat(dependsOn("temporal-schema")).containsEntry("postgresql", "service_healthy");
    assertThat(dependsOn("temporal"))
        .containsEntry("temporal-schema", "service_completed_successfully");
    assertThat(dependsOn("temporal-namespace")).containsEntry("temporal", "service_healthy");
    assertThat(dependsOn("temporal-ui")).containsKey("temporal");
    assertThat(dependsOn("worker"))
        .containsEntry("temporal", "service_healthy")
        .containsEntry("postgresql", "service_healthy")
        .containsEntry("temporal-namespace", "service_completed_successfully");
    for (String name : List.of("postgresql", "temporal", "source-db", "target-db")) {
      assertThat(service(name)).as(name + " has a health check").containsKey("healthcheck");
    }
  }

  @Test
  void workerAndUiTalkToTheTemporalService() {
    assertThat(env("worker")).containsEntry("TEMPORAL_ADDRESS", "temporal:7233");
    assertThat(env("temporal-ui")).containsEntry("TEMPORAL_ADDRESS", "temporal:7233");
    assertThat(env("temporal-namespace")).containsEntry("TEMPORAL_ADDRESS", "temporal:7233");
    assertThat(env("worker").get("SPRING_DATASOURCE_URL"))
        .isEqualTo("jdbc:postgresql://postgresql:5432/signalbox");
  }

  @Test
  void uiCanStartWorkflowsAndSendSignals() {
    Map<String, String> ui = env("temporal-ui");
    assertThat(ui)
        .containsEntry("TEMPORAL_DISABLE_WRITE_ACTIONS", "false")
        .containsEntry("TEMPORAL_START_WORKFLOW_DISABLED", "false")
        .containsEntry("TEMPORAL_WORKFLOW_SIGNAL_DISABLED", "false")
        .containsEntry("TEMPORAL_WORKFLOW_CANCEL_DISABLED", "false");
    assertThat(ui.get("TEMPORAL_CORS_ORIGINS")).contains("http://localhost:8080");
  }

  @Test
  void passwordsComeFromTheEnvironment() {
    for (String name : services.keySet()) {
      env(name)
          .forEach(
              (key, value) -> {
                if (key.contains("PASSWORD") || key.endsWith("_PWD")) {
                  assertThat(value)
                      .as(name + " " + key + " is taken from the environment")
                      .matches(FROM_ENVIRONMENT);
                }
              });
    }
  }

  @Test
  void mountedFilesExist() {
    for (String name : services.keySet()) {
      for (Object volume : list(service(name).get("volumes"))) {
        String source = String.valueOf(volume).split(":")[0];
        if (source.startsWith("./")) {
          assertThat(ROOT.resolve(source)).as(name + " mounts " + source).exists();
        }
      }
    }
    assertThat(ROOT.resolve("deploy/demo/source-init.sql")).isRegularFile();
  }

  @Test
  void demoInputIsValidAndItsPasswordsAreSetOnTheWorker() throws IOException {
    Path file = ROOT.resolve("runbooks/gitea-db-migration/local.json");
    JsonNode input = new ObjectMapper().readTree(file.toFile());
    InputActivities.ValidationResult result =
        new InputActivitiesImpl()
            .validate(new InputActivities.ValidationRequest("GiteaDbMigration", input));
    assertThat(result.errors()).as(file + " validates").isEmpty();
    for (JsonNode env : input.findValues("env")) {
      assertThat(env("worker")).as("worker sets " + env.asText()).containsKey(env.asText());
    }
    assertThat(input.findValues("env")).hasSize(2);
  }

  @Test
  void workerKeepsItsHostTaskQueueAndDumpsWhenRecreated() throws IOException {
    // Restore and verify go to the queue of the worker that wrote the dump: a name that changes
    // with the container id would strand them (issue 7), so both names are fixed here.
    Object hostname = service("worker").get("hostname");
    assertThat(hostname).as("worker hostname").isNotNull();
    assertThat(String.valueOf(hostname)).doesNotContain("$");
    String queue = env("worker").get("SIGNALBOX_HOST_TASK_QUEUE");
    assertThat(queue)
        .as("a fixed host task queue")
        .isNotBlank()
        .doesNotContain("$")
        .isNotEqualTo("signalbox");
    assertThat(env("worker")).doesNotContainEntry("SIGNALBOX_SHARED_DUMP_DIR", "true");

    // The dumps themselves outlive the container: the dump directory is in a named volume.
    java.util.regex.Matcher dumpDir =
        Pattern.compile("SIGNALBOX_DUMP_DIR=(\\S+)")
            .matcher(Files.readString(ROOT.resolve("Dockerfile")));
    assertThat(dumpDir.find()).as("Dockerfile sets SIGNALBOX_DUMP_DIR").isTrue();
    String dir = env("worker").getOrDefault("SIGNALBOX_DUMP_DIR", dumpDir.group(1));
    assertThat(list(service("worker").get("volumes")))
        .map(String::valueOf)
        .anySatisfy(
            volume -> {
              String[] parts = volume.split(":");
              assertThat(volumes).as("named volumes").containsKey(parts[0]);
              assertThat(dir + "/").startsWith(parts[1].replaceAll("/?$", "/"));
            });
  }

  @Test
  void dockerfileBuildsWithTheWrapperAndShipsPostgresTools() throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    assertThat(dockerfile)
        .containsPattern("(?m)^FROM eclipse-temurin:17-jdk AS build")
        .containsPattern("(?m)^FROM eclipse-temurin:17-jre")
        .contains("./mvnw")
        .contains("postgresql-client-")
        .containsPattern("(?m)^ENTRYPOINT \\[\"java\", .*\"-jar\", \"/app/signalbox.jar\"]");
    assertThat(Files.readString(ROOT.resolve(".dockerignore"))).contains("**/target");
  }

  @Test
  void workerToolsAreAtLeastAsNewAsEveryPostgresServer() throws IOException {
    java.util.regex.Matcher arg =
        Pattern.compile("(?m)^ARG PG_MAJOR=(\\d+)")
            .matcher(Files.readString(ROOT.resolve("Dockerfile")));
    assertThat(arg.find()).as("Dockerfile has ARG PG_MAJOR").isTrue();
    int tools = Integer.parseInt(arg.group(1));
    for (String name : services.keySet()) {
      String image = image(name);
      if (image.startsWith("postgres:")) {
        int server = Integer.parseInt(image.substring("postgres:".length()).split("\\D")[0]);
        assertThat(server).as(name + " runs PostgreSQL " + server).isLessThanOrEqualTo(tools);
      }
    }
  }

  private static String image(String name) {
    return String.valueOf(service(name).get("image"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> service(String name) {
    Map<String, Object> service = (Map<String, Object>) services.get(name);
    assertThat(service).as("service " + name).isNotNull();
    return service;
  }

  private static List<String> ports(String name) {
    return list(service(name).get("ports")).stream().map(String::valueOf).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> dependsOn(String name) {
    Map<String, Object> dependsOn = (Map<String, Object>) service(name).get("depends_on");
    assertThat(dependsOn).as(name + " depends_on").isNotNull();
    Map<String, String> conditions = new java.util.LinkedHashMap<>();
    dependsOn.forEach(
        (service, spec) ->
            conditions.put(service, String.valueOf(((Map<String, Object>) spec).get("condition"))));
    return conditions;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> env(String name) {
    Object environment = service(name).get("environment");
    Map<String, String> values = new java.util.LinkedHashMap<>();
    if (environment instanceof Map<?, ?> map) {
      map.forEach((k, v) -> values.put(String.valueOf(k), String.valueOf(v)));
    } else {
      for (Object entry : list(environment)) {
        String[] kv = String.valueOf(entry).split("=", 2);
        values.put(kv[0], kv.length > 1 ? kv[1] : "");
      }
    }
    return values;
  }

  private static List<?> list(Object value) {
    return value instanceof List<?> l ? l : List.of();
  }
}
