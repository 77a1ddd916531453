package io.signalbox.workflows.copy;

/**
 * One object of a {@link SchemaInventory}.
 *
 * @param kind {@code schema}, {@code extension}, {@code type}, {@code table}, {@code column},
 *     {@code index}, {@code constraint}, {@code view}, {@code materialized view}, {@code function},
 *     {@code trigger}, {@code policy}, {@code rule} or {@code sequence}
 * @param name quoted and schema-qualified; columns, constraints, triggers, policies and rules as
 *     {@code table.name}
 * @param definition what must be equal on both sides: type, nullability and default of a column,
 *     {@code pg_get_indexdef}, {@code pg_get_constraintdef}, the view's query, a function's result,
 *     language, volatility and an md5 of its body, …
 */
public record SchemaObject(String kind, String name, String definition) {

  /** {@code kind name}, the key objects are compared by. */
  public String key() {
    return kind + " " + name;
  }
}
