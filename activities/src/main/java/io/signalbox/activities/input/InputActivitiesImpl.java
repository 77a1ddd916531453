package io.signalbox.activities.input;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.InputActivities;
import io.signalbox.workflows.core.Limits;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Validates runbook input against {@code runbooks/<kebab-name>/input.schema.json} on the classpath,
 * plus the rules a schema cannot say well (a literal password gets a message that says how to
 * reference it). The CLI calls it before starting a run; every runbook calls it as a local activity
 * before mapping its input. It also answers which of Signalbox's search attributes the Temporal
 * server has, as the worker found them at start-up (none, unless it is told).
 */
public class InputActivitiesImpl implements InputActivities {

  /** The product runbooks, in the order the CLI lists them. */
  public static final List<String> PRODUCT_RUNBOOKS =
      List.of(
          "GiteaDbMigration",
          "StateHubCutover",
          "BackupVerification",
          "DrRehearsal",
          "Rollback",
          "PostgresCopy");

  static final String LITERAL_PASSWORD =
      "a literal password is refused; reference it instead: {\"env\": \"VAR\"}, {\"file\":"
          + " \"/path\"} or {\"secret\": {\"namespace\": \"ns\", \"name\": \"secret\", \"key\":"
          + " \"password\"}}";

  /** The longest input accepted, in characters of JSON: no runbook input needs more. */
  static final int MAX_INPUT_CHARS = 256 * 1024;

  /** The longest error line: it travels through history in the failure message. */
  static final int MAX_ERROR_CHARS = 500;

  /** The most error lines returned; the rest are counted. */
  static final int MAX_ERRORS = 50;

  private final SchemaRegistry registry =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();
  private final Supplier<? extends Collection<String>> registeredSearchAttributes;

  /** Answers that the server has none of Signalbox's search attributes. */
  public InputActivitiesImpl() {
    this(List::of);
  }

  /**
   * @param registeredSearchAttributes the search attributes the server has, as the worker found (or
   *     registered) them
   */
  public InputActivitiesImpl(Supplier<? extends Collection<String>> registeredSearchAttributes) {
    this.registeredSearchAttributes = registeredSearchAttributes;
  }

  @Override
  public SearchAttributesAnswer registeredSearchAttributes(SearchAttributesRequest request) {
    Collection<String> registered = registeredSearchAttributes.get();
    List<String> names = request == null || request.names() == null ? List.of() : request.names();
    return new SearchAttributesAnswer(names.stream().filter(registered::contains).toList());
  }

  @Override
  public ValidationResult validate(ValidationRequest request) {
    if (request == null || request.runbook() == null) {
      throw FailureType.INVALID_INPUT.failure("no runbook type given");
    }
    if (!exists(request.runbook())) {
      return new ValidationResult(List.of(unknownRunbook(request.runbook())));
    }
    JsonNode input = request.input();
    if (input == null || input.isNull() || input.isMissingNode()) {
      return new ValidationResult(
          List.of("$: no input given; " + request.runbook() + " takes a JSON object"));
    }
    Set<String> errors = new LinkedHashSet<>();
    Set<String> literalPasswords = new LinkedHashSet<>();
    findLiteralPasswords(input, "$", literalPasswords);
    literalPasswords.forEach(path -> errors.add(path + ": " + LITERAL_PASSWORD));
    for (Error error : schema(request.runbook()).validate(input)) {
      String path = jsonPath(error);
      if (literalPasswords.stream().anyMatch(path::startsWith)) {
        continue; // already explained above, with how to fix it
      }
      errors.add(describe(error));
    }
    int size = input.toString().length();
    if (size > MAX_INPUT_CHARS) {
      errors.add(
          "$: the input has "
              + size
              + " characters of JSON; at most "
              + MAX_INPUT_CHARS
              + " are accepted (look for a pasted file or log)");
    }
    return new ValidationResult(bounded(errors));
  }

  /**
   * Each error cut to {@link #MAX_ERROR_CHARS} and at most {@link #MAX_ERRORS} of them: the errors
   * travel through history and evidence, and a field name or value may be a megabyte long.
   */
  private static List<String> bounded(Set<String> errors) {
    List<String> out = new ArrayList<>();
    for (String error : errors) {
      if (out.size() == MAX_ERRORS) {
        out.add("… and " + (errors.size() - MAX_ERRORS) + " more errors");
        break;
      }
      out.add(Limits.cut(error, MAX_ERROR_CHARS));
    }
    return List.copyOf(out);
  }

  /** Whether a runbook type has an input schema on the classpath. */
  public static boolean exists(String runbook) {
    return InputActivitiesImpl.class.getClassLoader().getResource(schemaPath(runbook)) != null;
  }

  /** The product runbooks whose schemas this build carries. */
  public static List<String> knownRunbooks() {
    return PRODUCT_RUNBOOKS.stream().filter(InputActivitiesImpl::exists).toList();
  }

  /** The message for a runbook type without a schema. */
  public static String unknownRunbook(String runbook) {
    List<String> known = knownRunbooks();
    return "unknown runbook type '"
        + runbook
        + "'; known: "
        + (known.isEmpty() ? "(none in this build)" : String.join(", ", known));
  }

  /** {@code GiteaDbMigration} → {@code runbooks/gitea-db-migration/input.schema.json}. */
  public static String schemaPath(String runbook) {
    return "runbooks/" + kebab(runbook) + "/input.schema.json";
  }

  /** {@code GiteaDbMigration} → {@code gitea-db-migration}. */
  public static String kebab(String camel) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          out.append('-');
        }
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private Schema schema(String runbook) {
    return schemas.computeIfAbsent(
        runbook, r -> registry.getSchema(SchemaLocation.of("classpath:" + schemaPath(r))));
  }

  /**
   * The validator speaks JSON Pointer ({@code /database/port}); users read {@code $.database.port}.
   */
  private static String jsonPath(Error error) {
    String pointer = error.getInstanceLocation().toString();
    StringBuilder path = new StringBuilder("$");
    for (String segment : pointer.split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      String name = segmentName(segment.replace("~1", "/").replace("~0", "~"));
      if (name.chars().allMatch(Character::isDigit)) {
        path.append('[').append(name).append(']');
      } else {
        path.append('.').append(name);
      }
    }
    return path.toString();
  }

  /** A field name as errors show it: a megabyte-long name is cut. */
  private static String segmentName(String name) {
    return Limits.cut(name, 100);
  }

  private static String describe(Error error) {
    String path = jsonPath(error);
    String message = error.getMessage();
    if ("required".equals(error.getKeyword()) && error.getProperty() != null) {
      String parent = path;
      return (parent.equals("$") ? "$." : parent + ".")
          + error.getProperty()
          + ": is required but missing";
    }
    if ("additionalProperties".equals(error.getKeyword()) && error.getProperty() != null) {
      return (path.equals("$") ? "$." : path + ".")
          + segmentName(error.getProperty())
          + ": is not a known field here (check its spelling)";
    }
    return message.startsWith(path) ? message : path + ": " + message;
  }

  private static void findLiteralPasswords(JsonNode node, String path, Set<String> out) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String child = path + "." + segmentName(field.getKey());
        if (field.getKey().equalsIgnoreCase("password") && field.getValue().isTextual()) {
          out.add(child);
        } else {
          findLiteralPasswords(field.getValue(), child, out);
        }
      }
    } else if (node.isArray()) {
      List<JsonNode> items = new ArrayList<>();
      node.forEach(items::add);
      for (int i = 0; i < items.size(); i++) {
        findLiteralPasswords(items.get(i), path + "[" + i + "]", out);
      }
    }
  }
}
