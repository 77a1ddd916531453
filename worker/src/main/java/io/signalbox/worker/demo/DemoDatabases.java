package io.signalbox.worker.demo;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two throwaway PostgreSQL servers for {@code signalbox dev --demo}: a source with Gitea-like
 * sample data ({@code demo/gitea-sample.sql}) and an empty target, each with a superuser {@code
 * gitea} of a random password and a database {@code gitea}, listening on a free port of 127.0.0.1.
 *
 * <p>They run from the machine's PostgreSQL server binaries ({@code initdb}, {@code pg_ctl}), found
 * through {@code $PG_BIN}, {@code pg_config --bindir} or the highest {@code
 * /usr/lib/postgresql/N/bin}. PostgreSQL refuses to run as root: as root the servers' directory
 * belongs to the {@code postgres} OS user and the binaries run through {@code runuser -u postgres
 * --}. Each server lives in a directory {@code signalbox-demo-*} of the temporary directory ({@code
 * /tmp} as root), deleted by {@link #close()}; a directory whose owning process ({@code owner.pid})
 * is gone, as after a kill -9, is stopped and removed the next time a demo starts.
 */
public final class DemoDatabases implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(DemoDatabases.class);

  /** The database and its superuser, on both servers. */
  public static final String DATABASE = "gitea";

  public static final String USER = "gitea";

  static final String SAMPLE = "/demo/gitea-sample.sql";

  private final DemoServer source;
  private final DemoServer target;

  private DemoDatabases(DemoServer source, DemoServer target) {
    this.source = source;
    this.target = target;
  }

  /** The server with the sample data. */
  public DemoServer source() {
    return source;
  }

  /** The empty server. */
  public DemoServer target() {
    return target;
  }

  /**
   * Starts both servers and loads the sample data into the source.
   *
   * @param environment the process environment ({@code PG_BIN})
   * @throws DemoUnavailableException when the PostgreSQL server binaries are not there
   */
  public static DemoDatabases start(Function<String, String> environment) {
    Path bin = DemoHost.findBinDir(environment);
    boolean root = DemoHost.isRoot();
    Path tmp = root ? Path.of("/tmp") : Path.of(System.getProperty("java.io.tmpdir"));
    DemoHost.sweepOrphans(tmp, bin, root);
    DemoServer source = null;
    try {
      source = DemoServer.start(bin, tmp, root, "source");
      DemoServer target = DemoServer.start(bin, tmp, root, "target");
      long t0 = System.nanoTime();
      source.runScript(SAMPLE);
      log.info(
          "Demo source loaded with Gitea-like sample data ({}) in {} ms",
          source.size(),
          (System.nanoTime() - t0) / 1_000_000);
      return new DemoDatabases(source, target);
    } catch (RuntimeException e) {
      if (source != null) {
        source.close();
      }
      throw e;
    }
  }

  /** Stops both servers and deletes their directories. */
  @Override
  public void close() {
    source.close();
    target.close();
  }
}
