package io.signalbox.activities.rollback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.testing.PostgresExtension;
import io.signalbox.testing.PostgresServer;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.SecretRef;
import io.signalbox.workflows.rollback.CarryOverActivities.Carried;
import io.signalbox.workflows.rollback.CarryOverActivities.CompareInput;
import io.signalbox.workflows.rollback.CarryOverActivities.LeftBehind;
import io.signalbox.workflows.rollback.CarryOverActivities.TableDiff;
import io.temporal.failure.ApplicationFailure;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Comparison and carry-over between two real PostgreSQL servers, on tables built to hit each case:
 * a new row, an updated row, a deleted row, a new row that collides with another unique value, a
 * table without a key, a table only on the new side, a changed column list, a frozen old database.
 */
class CarryOverActivitiesImplTest {
  @RegisterExtension static PostgresExtension pg = new PostgresExtension(2);
  private static final AtomicInteger NEXT = new AtomicInteger();

  private String db;
  private CarryOverActivitiesImpl activities;

  private PostgresServer oldServer() {
    return pg.server(0);
  }

  private PostgresServer newServer() {
    return pg.server(1);
  }

  private static Endpoint endpoint(PostgresServer s, String db) {
    return new Endpoint(
        s.host(),
        s.port(),
        db,
        s.superuser(),
        new SecretRef(s.toString(), null, null),
        "disable",
        null);
  }

  private CompareInput input() {
    return new CompareInput(endpoint(newServer(), db), endpoint(oldServer(), db), null);
  }

  private static final String[] SCHEMA = {
    "CREATE TABLE parent (id serial PRIMARY KEY, code text UNIQUE, note text)",
    "CREATE TABLE child (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
        + " parent_id int NOT NULL REFERENCES parent (id), doubled int GENERATED ALWAYS AS"
        + " (parent_id * 2) STORED)",
    "CREATE TABLE log (line text)",
    "INSERT INTO parent (code, note) SELECT 'c' || i, 'n' || i FROM generate_series(1, 5) i",
    "INSERT INTO child (parent_id) SELECT i FROM generate_series(1, 5) i",
    "INSERT INTO log VALUES ('a'), ('b')"
  };

  @BeforeEach
  void setUp() {
    db = "carry_" + NEXT.incrementAndGet();
    for (PostgresServer s : new PostgresServer[] {oldServer(), newServer()}) {
      s.createDatabase(db);
      s.execute(db, SCHEMA);
    }
    activities =
        new CarryOverActivitiesImpl(
            new PgConnector(
                ref ->
                    ref.env().equals(oldServer().toString())
                        ? oldServer().password()
                        : newServer().password()));
  }

  private static TableDiff table(LeftBehind l, String name) {
    return l.tables().stream().filter(t -> t.table().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void equalDatabasesLeaveNothingBehind() {
    LeftBehind l = activities.compare(input());
    assertThat(l.tables()).isEmpty();
    assertThat(l.tablesEqual()).isEqualTo(3);
    assertThat(l.summary()).contains("nothing the old one lacks");
  }

  @Test
  void newUpdatedDeletedAndUnkeyedRowsAreCountedByKey() {
    newServer()
        .execute(
            db,
            "INSERT INTO parent (code) VALUES ('c6'), ('c7')",
            "UPDATE parent SET note = 'changed' WHERE id = 2",
            "DELETE FROM child WHERE id = 5",
            "INSERT INTO log VALUES ('c')",
            "CREATE TABLE fresh (id int PRIMARY KEY)",
            "INSERT INTO fresh VALUES (1)");
    LeftBehind l = activities.compare(input());
    TableDiff parent = table(l, "public.parent");
    assertThat(parent.onlyOnNew()).isEqualTo(2);
    assertThat(parent.changed()).isEqualTo(1);
    assertThat(parent.sampleOnlyOnNew()).containsExactly("(6)", "(7)");
    assertThat(parent.sampleChanged()).containsExactly("(2)");
    assertThat(table(l, "public.child").onlyOnOld()).isEqualTo(1);
    assertThat(table(l, "public.log").onlyOnNew()).isEqualTo(1);
    assertThat(table(l, "public.log").carriable()).isFalse();
    assertThat(table(l, "public.fresh").note()).contains("not on the old database");
    assertThat(l.notCarriable()).hasSize(2);
    assertThat(l.summary()).startsWith("4 rows only on the new database, 1 rows changed there");
  }

  @Test
  void carriesNewRowsParentsFirstIntoAFrozenOldDatabaseAndReportsConflicts() {
    newServer()
        .execute(
            db,
            "INSERT INTO parent (code, note) VALUES ('c6', 'new'), ('taken', 'collides')",
            "INSERT INTO child (parent_id) VALUES (6), (7)",
            "UPDATE parent SET note = 'changed' WHERE id = 1");
    // On the old database 'taken' is used by another row: the new row 7 collides on code.
    oldServer().execute(db, "INSERT INTO parent (id, code) VALUES (100, 'taken')");
    oldServer().execute(db, "ALTER DATABASE " + db + " SET default_transaction_read_only = on");

    Carried c = activities.carryOver(input());
    assertThat(c.inserted()).as(c.toString()).isEqualTo(2); // parent 6 and child 6
    // parent 1 changed (not overwritten), parent 7 collides; child 7 then has no parent.
    assertThat(c.conflicts()).isEqualTo(3);
    assertThat(c.tables())
        .anySatisfy(
            t -> {
              assertThat(t.table()).isEqualTo("public.child");
              assertThat(t.sampleConflicts()).containsExactly("(7) (23503)"); // no parent 7
            });
    assertThat(c.notCarried()).anyMatch(s -> s.startsWith("public.log: no primary key"));
    assertThat(oldServer().queryValue(db, "SELECT note FROM parent WHERE id = 6")).isEqualTo("new");
    assertThat(oldServer().queryValue(db, "SELECT note FROM parent WHERE id = 1")).isEqualTo("n1");
    assertThat(oldServer().queryValue(db, "SELECT doubled FROM child WHERE parent_id = 6"))
        .isEqualTo("12");
    assertThat(oldServer().queryValue(db, "SHOW default_transaction_read_only"))
        .as("the freeze stays for others")
        .isEqualTo("on");

    // Idempotent: a retry finds the rows there and carries nothing twice.
    Carried again = activities.carryOver(input());
    assertThat(again.inserted()).isZero();
    oldServer()
        .execute("postgres", "ALTER DATABASE " + db + " RESET default_transaction_read_only");
    oldServer().execute(db, "INSERT INTO parent (code) VALUES ('after')"); // sequence moved up
  }

  @Test
  void aChangedColumnListIsComparedByCountAndNotCarried() {
    newServer()
        .execute(
            db,
            "ALTER TABLE parent ADD COLUMN extra int",
            "INSERT INTO parent (code) VALUES ('x')");
    LeftBehind l = activities.compare(input());
    assertThat(table(l, "public.parent").note()).contains("columns or key differ");
    assertThat(table(l, "public.parent").onlyOnNew()).isEqualTo(1);
    Carried c = activities.carryOver(input());
    assertThat(c.inserted()).isZero();
    assertThat(c.notCarried()).anyMatch(s -> s.startsWith("public.parent: columns or key differ"));
  }

  @Test
  void anUnreachableDatabaseIsRetried() {
    CompareInput bad =
        new CompareInput(
            new Endpoint("127.0.0.1", 1, db, "x", null, "disable", null),
            endpoint(oldServer(), db),
            null);
    assertThatThrownBy(() -> activities.compare(bad))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.isNonRetryable()).isFalse());
  }
}
