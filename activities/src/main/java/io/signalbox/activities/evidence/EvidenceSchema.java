package io.signalbox.activities.evidence;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The evidence store's schema, versioned by Flyway migrations under {@value #LOCATION} with the
 * history in {@value #HISTORY_TABLE}. The worker runs the same migrations through Spring Boot's
 * Flyway auto-configuration at start-up ({@code spring.flyway.table=signalbox_schema_history},
 * {@code spring.flyway.baseline-on-migrate=true}, {@code spring.flyway.baseline-version=0}); tests
 * and tools call {@link #migrate(DataSource)}.
 */
public final class EvidenceSchema {

  /** Flyway's history table: named for Signalbox so it can share a database with others. */
  public static final String HISTORY_TABLE = "signalbox_schema_history";

  /** Where the migrations are, inside the activities jar. */
  public static final String LOCATION = "classpath:db/migration";

  private EvidenceSchema() {}

  /**
   * Brings the schema up to date; a no-op when it already is.
   *
   * @return the number of migrations applied now
   */
  public static int migrate(DataSource dataSource) {
    MigrateResult result =
        Flyway.configure()
            .dataSource(dataSource)
            .table(HISTORY_TABLE)
            .locations(LOCATION)
            // A database that already holds other tables (no history yet) is baselined below V1,
            // so V1 still runs there instead of Flyway refusing a non-empty schema.
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .load()
            .migrate();
    return result.migrationsExecuted;
  }
}
