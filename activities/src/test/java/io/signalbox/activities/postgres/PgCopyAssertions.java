package io.signalbox.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.signalbox.activities.command.CommandResult;
import io.signalbox.activities.command.CommandRunner;
import io.signalbox.activities.command.CommandSpec;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.LoggerFactory;

/**
 * Independent checks for the dump and restore tests: plain SQL through the harness, none of the
 * code under test.
 */
final class PgCopyAssertions {
  private static final AtomicInteger NEXT = new AtomicInteger();

  private PgCopyAssertions() {}

  /** A fresh database name for one test. */
  static String newDatabase(PostgresServer server, String prefix) {
    String name = prefix + "_" + NEXT.incrementAndGet() + "_" + System.nanoTime() % 100000;
    server.createDatabase(name);
    return name;
  }

  /** Passwords by the env-reference name the endpoints use. */
  static final Map<String, String> PASSWORDS = new ConcurrentHashMap<>();

  static Endpoint endpoint(PostgresServer server, String db) {
    String ref = "PG_PASSWORD_" + server.port();
    PASSWORDS.put(ref, server.password());
    return new Endpoint(
        server.host(),
        server.port(),
        db,
        server.superuser(),
        new SecretRef(ref, null, null),
        "disable",
        null);
  }

  static Endpoint allowNonEmpty(Endpoint e) {
    return new Endpoint(
        e.host(), e.port(), e.database(), e.user(), e.password(), e.sslmode(), true);
  }

  static PgTools tools(PostgresServer server, CommandRunner runner) {
    return new PgTools(
        runner,
        server.binDir(),
        ref -> PASSWORDS.get(ref.env()),
        System::getenv,
        Duration.ofMillis(100));
  }

  /** Ordinary and partitioned tables and materialized views, quoted, sorted. */
  static List<String> tables(PostgresServer server, String db) {
    return server.queryColumn(
        db,
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c"
            + " JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname <> 'information_schema'"
            + " AND n.nspname !~ '^pg_' ORDER BY 1");
  }

  /** Every row of a table as text, sorted: compared row by row between two databases. */
  static List<String> rows(PostgresServer server, String db, String table) {
    return server.queryColumn(db, "SELECT t::text FROM ONLY " + table + " t ORDER BY 1");
  }

  /** Same tables, and in each the same rows (as text), on both sides. */
  static void assertSameContent(PostgresServer a, String dbA, PostgresServer b, String dbB) {
    List<String> tablesA = tables(a, dbA);
    assertThat(tables(b, dbB)).as("tables").isEqualTo(tablesA);
    for (String t : tablesA) {
      assertThat(rows(b, dbB, t)).as("rows of %s", t).isEqualTo(rows(a, dbA, t));
    }
  }

  /** A digest of every table's content and every sequence's position. */
  static Map<String, String> fingerprint(PostgresServer server, String db) {
    Map<String, String> out = new TreeMap<>();
    for (String t : tables(server, db)) {
      out.put(
          t,
          server.queryValue(
              db,
              "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY"
                  + " t::text)), '') FROM ONLY "
                  + t
                  + " t"));
    }
    for (List<String> seq :
        server.query(
            db,
            "SELECT format('%I.%I', schemaname, sequencename), last_value::text FROM pg_sequences"
                + " ORDER BY 1")) {
      out.put("sequence " + seq.get(0), seq.get(1));
    }
    return out;
  }

  /** Rows on a table, counted directly. */
  static long count(PostgresServer server, String db, String table) {
    return Long.parseLong(server.queryValue(db, "SELECT count(*) FROM " + table));
  }

  /**
   * Inserts one row, keys from their defaults, into every shapes table with a serial or identity
   * key: each succeeds only if the sequences were carried over.
   */
  static void insertIntoEveryKeyedTable(PostgresServer server, String db) {
    List<String> keyed =
        server.queryColumn(
            db,
            "SELECT DISTINCT format('%I.%I', n.nspname, c.relname) FROM pg_attribute a"
                + " JOIN pg_class c ON c.oid = a.attrelid"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                + " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attnum > 0"
                + " AND (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE"
                + " 'nextval(%') AND n.nspname !~ '^pg_' ORDER BY 1");
    Map<String, String> inserts =
        Map.of(
            "public.accounts",
            "INSERT INTO public.accounts (name, created_at) VALUES ('new on target', 1)",
            "public.events",
            "INSERT INTO public.events (account_id, kind, happened_at) VALUES (1, 'new', 1)",
            "public.\"Order\"",
            "INSERT INTO public.\"Order\" (\"Total\") VALUES (1)",
            "public.empty_things",
            "INSERT INTO public.empty_things (note) VALUES ('new')",
            "\"Sales\".\"LineItems\"",
            "INSERT INTO \"Sales\".\"LineItems\" (\"OrderId\") VALUES (1)",
            "public.big",
            "INSERT INTO public.big (v) VALUES ('new on target')");
    assertThat(inserts.keySet()).containsAll(keyed);
    for (String table : keyed) {
      server.execute(db, inserts.get(table));
    }
  }

  /** A runner that remembers every spec it was given. */
  static final class RecordingRunner extends CommandRunner {
    final List<CommandSpec> specs = new CopyOnWriteArrayList<>();
    final List<CommandResult> results = new CopyOnWriteArrayList<>();
    final Set<Long> pids = new ConcurrentSkipListSet<>();

    @Override
    public CommandResult run(CommandSpec spec, ProgressListener listener) {
      specs.add(spec);
      CommandResult r =
          super.run(
              spec,
              p -> {
                pids.add(p.pid());
                if (listener != null) {
                  listener.onProgress(p);
                }
              });
      results.add(r);
      return r;
    }

    List<List<String>> argvs() {
      List<List<String>> out = new ArrayList<>();
      specs.forEach(s -> out.add(s.argv()));
      return out;
    }
  }

  /** Captures every log event of the JVM while attached. */
  static final class LogCapture implements AutoCloseable {
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    LogCapture() {
      appender.start();
      root.addAppender(appender);
    }

    List<String> messages() {
      List<String> out = new ArrayList<>();
      for (ILoggingEvent e : new ArrayList<>(appender.list)) {
        out.add(e.getFormattedMessage());
        if (e.getThrowableProxy() != null) {
          out.add(e.getThrowableProxy().getMessage());
        }
      }
      return out;
    }

    @Override
    public void close() {
      root.detachAppender(appender);
    }
  }

  /** Gone: no such process, or a zombie waiting for a reaper that is not ours. */
  static void assertGone(long pid) throws IOException {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    String text;
    try {
      text = Files.readString(stat);
    } catch (IOException e) {
      return; // no such process
    }
    int close = text.lastIndexOf(')');
    assertThat(text.substring(close + 2, close + 3)).as("state of pid %d", pid).isEqualTo("Z");
  }
}
