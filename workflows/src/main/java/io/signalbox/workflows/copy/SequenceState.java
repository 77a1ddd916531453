package io.signalbox.workflows.copy;

/**
 * Where one sequence stands.
 *
 * @param name the quoted, schema-qualified name, e.g. {@code public.accounts_id_seq}
 * @param ownedBy the column it feeds ({@code table.column}, serial or identity), or null
 * @param lastValue {@code last_value}
 * @param isCalled {@code is_called}: false means {@code nextval} returns {@code lastValue} itself
 * @param increment the increment (negative for a descending sequence)
 */
public record SequenceState(
    String name, String ownedBy, long lastValue, boolean isCalled, long increment) {

  /** The value the next {@code nextval} returns (ignoring the sequence's maximum). */
  public long nextValue() {
    return isCalled ? lastValue + increment : lastValue;
  }
}
