package io.signalbox.workflows.copy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The schema of a database as a sorted list of objects, read with {@code search_path = pg_catalog}
 * so every definition is fully qualified and two faithful copies compare equal. System schemas,
 * objects that belong to extensions, owners and privileges are left out (a restore with {@code
 * --no-owner} changes owners).
 *
 * @param objects sorted by kind, then name
 */
public record SchemaInventory(List<SchemaObject> objects) {

  /** The number of objects of one kind. */
  public long count(String kind) {
    return objects.stream().filter(o -> o.kind().equals(kind)).count();
  }

  /**
   * What differs from {@code target}, one line each ({@code missing on target: index public.x_idx},
   * {@code not on source: …}, {@code differs: …}); empty when equal. Pure function: usable in
   * workflow code.
   */
  public List<String> differences(SchemaInventory target) {
    Map<String, SchemaObject> s = byKey(this);
    Map<String, SchemaObject> t = byKey(target);
    TreeSet<String> keys = new TreeSet<>(s.keySet());
    keys.addAll(t.keySet());
    List<String> out = new ArrayList<>();
    for (String key : keys) {
      SchemaObject a = s.get(key);
      SchemaObject b = t.get(key);
      if (b == null) {
        out.add("missing on target: " + key);
      } else if (a == null) {
        out.add("not on source: " + key);
      } else if (!Objects.equals(a.definition(), b.definition())) {
        out.add("differs: " + key + ": " + a.definition() + " <> " + b.definition());
      }
    }
    return out;
  }

  private static Map<String, SchemaObject> byKey(SchemaInventory inv) {
    Map<String, SchemaObject> m = new TreeMap<>();
    inv.objects().forEach(o -> m.put(o.key(), o));
    return m;
  }
}
