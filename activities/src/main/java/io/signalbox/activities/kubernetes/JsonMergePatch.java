package io.signalbox.activities.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * JSON merge patches (RFC 7386) computed locally: applying one, the patch that undoes one on a
 * given document, and the fields one touches. Pure functions on Jackson trees; inputs are not
 * modified.
 */
final class JsonMergePatch {

  private JsonMergePatch() {}

  /** The document {@code patch} makes of {@code target}, as RFC 7386 section 2 defines it. */
  static JsonNode apply(JsonNode target, JsonNode patch) {
    if (patch == null || !patch.isObject()) {
      return patch == null ? null : patch.deepCopy();
    }
    ObjectNode result =
        target != null && target.isObject()
            ? ((ObjectNode) target).deepCopy()
            : JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getValue().isNull()) {
        result.remove(e.getKey());
      } else {
        result.set(e.getKey(), apply(result.get(e.getKey()), e.getValue()));
      }
    }
    return result;
  }

  /**
   * The merge patch that, applied after {@code patch}, gives every field {@code patch} touches the
   * value it has in {@code before}: its old value, or {@code null} (remove) where it was absent.
   * Fields the patch does not touch are not in the undo, so changes others make to them survive.
   */
  static ObjectNode undo(JsonNode patch, JsonNode before) {
    ObjectNode undo = JsonNodeFactory.instance.objectNode();
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode old = before != null && before.isObject() ? before.get(e.getKey()) : null;
      if (old == null || old.isNull()) {
        undo.putNull(e.getKey());
      } else if (e.getValue().isObject() && old.isObject()) {
        // Only the touched members of a nested object are restored, recursively.
        undo.set(e.getKey(), undo(e.getValue(), old));
      } else {
        undo.set(e.getKey(), old.deepCopy());
      }
    }
    return undo;
  }

  /** JSON pointers of the leaves {@code patch} sets or removes, e.g. {@code /data/host}. */
  static List<String> paths(JsonNode patch) {
    List<String> paths = new ArrayList<>();
    collect(patch, "", paths);
    return paths;
  }

  private static void collect(JsonNode patch, String prefix, List<String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = prefix + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
      if (e.getValue().isObject() && !e.getValue().isEmpty()) {
        collect(e.getValue(), path, out);
      } else {
        out.add(path);
      }
    }
  }
}
