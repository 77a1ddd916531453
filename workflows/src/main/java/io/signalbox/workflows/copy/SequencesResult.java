package io.signalbox.workflows.copy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Result of {@link PostgresActivities#sequences}.
 *
 * @param sequences every sequence outside the system schemas, sorted by name
 */
public record SequencesResult(List<SequenceState> sequences) {

  /**
   * The target's sequences that are behind the source's (the next insert on the target could
   * collide) or missing, one message each; empty when every target sequence is at least where the
   * source was. For a descending sequence, "at least" means at most as low. Pure function: usable
   * in workflow code.
   */
  public static List<String> behind(SequencesResult source, SequencesResult target) {
    Map<String, SequenceState> t = new TreeMap<>();
    target.sequences().forEach(s -> t.put(s.name(), s));
    List<String> out = new ArrayList<>();
    for (SequenceState s : source.sequences()) {
      SequenceState x = t.get(s.name());
      if (x == null) {
        out.add(s.name() + ": missing on target");
        continue;
      }
      boolean ok =
          s.increment() >= 0 ? x.nextValue() >= s.nextValue() : x.nextValue() <= s.nextValue();
      if (!ok) {
        out.add(
            s.name()
                + ": target next value "
                + x.nextValue()
                + " is behind source next value "
                + s.nextValue());
      }
    }
    return out;
  }
}
