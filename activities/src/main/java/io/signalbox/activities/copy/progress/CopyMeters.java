package io.signalbox.activities.copy.progress;

import io.signalbox.activities.postgres.Inspector;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.workflows.core.Endpoint;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the meters of a copy's three long steps, reading the totals they need (table sizes) from
 * the databases. Progress is for people: when the sizes cannot be read, the step goes on and its
 * progress says less (no totals), it never fails for it.
 */
public final class CopyMeters {
  private static final Logger log = LoggerFactory.getLogger(CopyMeters.class);

  private final PgConnector connector;
  private final LongSupplier nanos;

  /**
   * @param connector opens JDBC connections to read table sizes
   * @param nanos a monotonic clock in nanoseconds ({@code System::nanoTime})
   */
  public CopyMeters(PgConnector connector, LongSupplier nanos) {
    this.connector = connector;
    this.nanos = nanos;
  }

  /** For a dump of {@code source} into {@code dir} with pg_dump {@code -j jobs -Z compression}. */
  public DumpMeter dump(Endpoint source, Path dir, int jobs, int compression) {
    return new DumpMeter(
        new ProgressMeter("dump", nanos),
        sizes(source, Inspector::copyTextEstimates),
        dir,
        jobs,
        compression > 0);
  }

  /**
   * For a restore of the dump in {@code dir} into {@code target}; see {@link RestoreMeter}. Close
   * it after the restore (it may hold a connection to the target).
   */
  public RestoreMeter restore(Path dir, boolean finishedLines, Endpoint target) {
    return new RestoreMeter(
        new ProgressMeter("restore", nanos),
        dir,
        finishedLines,
        new CopyInFlight(() -> connector.open(target)));
  }

  /** For the verification of {@code target}. */
  public VerifyMeter verify(Endpoint target, boolean checksums) {
    return new VerifyMeter(
        new ProgressMeter("verify", nanos), sizes(target, Inspector::dataTableSizes), checksums);
  }

  /** Reads sizes per table. */
  @FunctionalInterface
  private interface SizeQuery {
    Map<String, Long> read(Connection c) throws SQLException;
  }

  private Map<String, Long> sizes(Endpoint endpoint, SizeQuery query) {
    try (Connection c = connector.open(endpoint)) {
      return query.read(c);
    } catch (SQLException | RuntimeException e) {
      log.warn(
          "cannot read the table sizes of {} for progress: {}",
          endpoint.describe(),
          e.getMessage());
      return Map.of();
    }
  }
}
