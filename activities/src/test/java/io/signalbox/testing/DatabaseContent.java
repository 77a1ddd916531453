package io.signalbox.testing;

import java.util.Map;
import java.util.TreeMap;

/** What a database holds, read independently of the code under test. */
public final class DatabaseContent {
  private DatabaseContent() {}

  /** Every table's rows, as text, sorted: an independent check of two databases. */
  public static Map<String, String> content(PostgresServer server, String db) {
    Map<String, String> out = new TreeMap<>();
    for (String table :
        server.queryColumn(
            db,
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON"
                + " n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN"
                + " ('pg_catalog', 'information_schema') ORDER BY 1")) {
      out.put(
          table,
          server.queryValue(
              db,
              "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY"
                  + " t::text)), '') FROM ONLY "
                  + table
                  + " t"));
    }
    return out;
  }
}
