package io.signalbox.workflows.copy;

import io.signalbox.workflows.core.Endpoint;

/**
 * Input of {@link PostgresActivities#inventory}.
 *
 * @param endpoint the database
 * @param contentTables tables ({@code schema.table}) whose rows belong to the schema, such as the
 *     migration tool's version table ({@code public.alembic_version}): each one that exists is
 *     added as an object of kind {@code content} whose definition is its rows (at most 100,
 *     sorted), so two databases at different migration versions differ; null or empty for none
 */
public record InventoryInput(Endpoint endpoint, java.util.List<String> contentTables) {

  /** The inventory without table contents. */
  public InventoryInput(Endpoint endpoint) {
    this(endpoint, null);
  }
}
