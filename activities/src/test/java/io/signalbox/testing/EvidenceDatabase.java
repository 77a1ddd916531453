package io.signalbox.testing;

import io.signalbox.activities.evidence.EvidenceSchema;
import org.postgresql.ds.PGSimpleDataSource;

/** Signalbox's own evidence database for a test, in a database of a throwaway server. */
public final class EvidenceDatabase {
  private EvidenceDatabase() {}

  /** A data source of {@code db} on {@code server} as its superuser, its schema migrated. */
  public static PGSimpleDataSource migrated(PostgresServer server, String db) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setUrl(server.jdbcUrl(db));
    ds.setUser(server.superuser());
    ds.setPassword(server.password());
    EvidenceSchema.migrate(ds);
    return ds;
  }
}
