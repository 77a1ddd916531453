package io.signalbox.workflows.core;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/** JSON mapping and digests for workflow code: pure computation, no I/O. */
public final class Json {
  // NON_NULL: a record turned into a tree (e.g. a child workflow's input) must read as a user
  // would type it, where an absent field is absent, not null; the input schemas refuse nulls.
  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  private Json() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Maps a JSON tree onto a record; throws {@link IllegalArgumentException} naming the field. */
  public static <T> T map(JsonNode tree, Class<T> type) {
    try {
      return MAPPER.treeToValue(tree, type);
    } catch (JsonMappingException e) {
      StringBuilder path = new StringBuilder("$");
      for (JsonMappingException.Reference ref : e.getPath()) {
        if (ref.getFieldName() != null) {
          path.append('.').append(ref.getFieldName());
        } else if (ref.getIndex() >= 0) {
          path.append('[').append(ref.getIndex()).append(']');
        }
      }
      String why = e.getOriginalMessage();
      int cut = why.indexOf(" (");
      throw new IllegalArgumentException(path + ": " + (cut > 0 ? why.substring(0, cut) : why), e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("$: " + e.getOriginalMessage(), e);
    }
  }

  public static JsonNode tree(Object value) {
    return value == null ? null : MAPPER.valueToTree(value);
  }

  /**
   * SHA-256 over the canonical form of a tree (object keys sorted), so the same report always has
   * the same digest however its maps were ordered.
   */
  public static String digest(JsonNode tree) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] bytes = MAPPER.writeValueAsString(canonical(tree)).getBytes(StandardCharsets.UTF_8);
      return HexFormat.of().formatHex(sha.digest(bytes));
    } catch (NoSuchAlgorithmException | JsonProcessingException e) {
      throw new IllegalStateException("cannot digest a report", e);
    }
  }

  private static JsonNode canonical(JsonNode node) {
    if (node == null) {
      return MAPPER.nullNode();
    }
    if (node.isObject()) {
      ObjectNode sorted = MAPPER.createObjectNode();
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      Collections.sort(names);
      for (String name : names) {
        sorted.set(name, canonical(node.get(name)));
      }
      return sorted;
    }
    if (node.isArray()) {
      ArrayNode array = MAPPER.createArrayNode();
      node.forEach(element -> array.add(canonical(element)));
      return array;
    }
    return node;
  }
}
