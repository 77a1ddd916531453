package io.signalbox.activities.postgres;

import io.signalbox.activities.postgres.RestoreOutcome.RestorePreparation;
import io.signalbox.workflows.core.FailureType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a restore may write into a target database, and makes a retried restore start
 * from nothing.
 *
 * <p>The rule: the first attempt needs a database without user objects (extensions aside: a DBA may
 * have installed them in advance). Before writing anything it records a marker, {@code COMMENT ON
 * DATABASE … IS 'signalbox-restore copy=ID state=in-progress'}, and commits it. A later attempt
 * that finds user objects restores again only when the marker names the same copy: then every user
 * object was created by an earlier attempt of this copy, and it drops them all (extensions stay)
 * after ending the sessions an earlier pg_restore may still hold. A finished restore sets {@code
 * state=done}; an attempt that finds that has nothing to do. Anything else is refused before a
 * single object is written.
 */
final class RestoreTargetGuard {
  private static final Logger log = LoggerFactory.getLogger(RestoreTargetGuard.class);
  static final String MARKER_PREFIX = "signalbox-restore copy=";
  private static final String STATE = " state=";
  private static final int LISTED = 20;

  /**
   * The user objects of the current database, each with the statement that drops it. Objects that
   * belong to an extension, sequences owned by a column (they go with their table) and implicit
   * types are left out. Read with {@code search_path = pg_catalog} so every name is qualified.
   */
  private static final String USER_OBJECTS =
      """
      WITH s AS (
        SELECT oid, nspname FROM pg_namespace
        WHERE nspname <> 'information_schema' AND nspname !~ '^pg_'),
      ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
      SELECT 1 AS ord, 'schema' AS kind, quote_ident(s.nspname) AS name,
             format('DROP SCHEMA IF EXISTS %I CASCADE', s.nspname) AS drop
        FROM s
       WHERE s.nspname <> 'public'
         AND NOT EXISTS (SELECT 1 FROM pg_extension e WHERE e.extnamespace = s.oid)
         AND NOT EXISTS (SELECT 1 FROM ext
                          WHERE ext.classid = 'pg_namespace'::regclass AND ext.objid = s.oid)
      UNION ALL
      SELECT 2, k.kind, format('%I.%I', s.nspname, c.relname),
             format('DROP %s IF EXISTS %I.%I CASCADE', upper(k.kind), s.nspname, c.relname)
        FROM pg_class c
        JOIN s ON s.oid = c.relnamespace
        JOIN (VALUES ('r', 'table'), ('p', 'table'), ('v', 'view'),
                     ('m', 'materialized view'), ('S', 'sequence'),
                     ('f', 'foreign table'), ('c', 'type')) AS k(relkind, kind)
          ON k.relkind = c.relkind::text
       WHERE NOT EXISTS (SELECT 1 FROM ext
                          WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
         AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                            AND c.relkind = 'S')
      UNION ALL
      SELECT 3, 'function', p.oid::regprocedure::text,
             format('DROP ROUTINE IF EXISTS %s CASCADE', p.oid::regprocedure)
        FROM pg_proc p
        JOIN s ON s.oid = p.pronamespace
       WHERE NOT EXISTS (SELECT 1 FROM ext
                          WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
      UNION ALL
      SELECT 4, 'type', t.oid::regtype::text,
             format('DROP TYPE IF EXISTS %s CASCADE', t.oid::regtype)
        FROM pg_type t
        JOIN s ON s.oid = t.typnamespace
       WHERE t.typtype IN ('e', 'd', 'r')
         AND NOT EXISTS (SELECT 1 FROM ext
                          WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
      UNION ALL
      SELECT 5, 'large object', l.oid::text, format('SELECT lo_unlink(%s)', l.oid)
        FROM pg_largeobject_metadata l
      ORDER BY 1, 3
      """;

  /** One user object. */
  record UserObject(String kind, String name, String drop) {
    String describe() {
      return kind + " " + name;
    }
  }

  private RestoreTargetGuard() {}

  /** The application name of this copy's pg_restore sessions (at most 63 bytes, as stored). */
  static String applicationName(String copyId) {
    String name = "signalbox-restore " + copyId;
    return name.length() <= 63 ? name : name.substring(0, 63);
  }

  static String marker(String copyId, String state) {
    return MARKER_PREFIX + copyId + STATE + state;
  }

  /**
   * Checks the target and prepares it for this attempt: marks an empty database, cleans an earlier
   * attempt's work, or refuses. Runs in autocommit mode on {@code c}.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PreconditionFailed} when the target holds
   *     objects this copy did not create
   */
  static RestorePreparation prepare(
      Connection c, String target, String copyId, boolean allowNonEmpty) throws SQLException {
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      st.execute("SET search_path = pg_catalog");
    }
    String marker = currentMarker(c);
    List<UserObject> objects = userObjects(c);
    if (marker(copyId, "done").equals(marker) && !objects.isEmpty()) {
      // Verification, not this check, decides whether what is there is still a faithful copy.
      log.info("{} already holds the finished restore of copy {}", target, copyId);
      return RestorePreparation.ALREADY_RESTORED;
    }
    if (objects.isEmpty()) {
      setMarker(c, marker(copyId, "in-progress"));
      return RestorePreparation.EMPTY;
    }
    if (marker(copyId, "in-progress").equals(marker)) {
      log.warn(
          "{} holds {} objects from an earlier attempt of copy {}: dropping them",
          target,
          objects.size(),
          copyId);
      endEarlierSessions(c, copyId);
      clean(c);
      List<UserObject> left = userObjects(c);
      if (!left.isEmpty()) {
        throw FailureType.TRANSIENT.failure(
            "could not remove an earlier attempt's objects from " + target + ": " + list(left));
      }
      return RestorePreparation.CLEANED_EARLIER_ATTEMPT;
    }
    if (allowNonEmpty) {
      log.warn(
          "{} is not empty ({} objects); restoring on top because allowNonEmpty is set",
          target,
          objects.size());
      return RestorePreparation.NON_EMPTY_ALLOWED;
    }
    throw FailureType.PRECONDITION_FAILED.failure(
        "target "
            + target
            + " is not empty and was not marked by an earlier attempt of copy "
            + copyId
            + " (marker: "
            + (marker == null ? "none" : "'" + marker + "'")
            + "); it holds "
            + objects.size()
            + " user objects: "
            + list(objects)
            + ". Nothing was written. Restore into an empty database, or set"
            + " target.allowNonEmpty to restore on top of what is there.");
  }

  /** The plain user tables of the current database, {@code schema.table} unquoted and quoted. */
  private static final String USER_TABLES =
      """
      SELECT n.nspname || '.' || c.relname AS plain, format('%I.%I', n.nspname, c.relname) AS quoted
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind = 'r' AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e')
       ORDER BY 2
      """;

  /**
   * Prepares a target that holds the schema already (made by the app's own migrations) for a
   * data-only restore. The schema is the caller's to compare; this guards the rows: every user
   * table must be empty, except the {@code replaceTables} (e.g. the migration tool's version table,
   * which the dump holds too) and the rows an earlier attempt of this copy, or the copy {@code
   * replacesCopyId} names (a rehearsal), loaded: those are truncated, all in one statement so
   * foreign keys between them do not stand in the way. Rows nobody said may go are refused before
   * anything is written.
   *
   * @throws io.temporal.failure.ApplicationFailure {@code PreconditionFailed} naming the tables
   *     with rows that are not this copy's to replace
   */
  static RestorePreparation prepareDataOnly(
      Connection c,
      String target,
      String copyId,
      java.util.List<String> replaceTables,
      String replacesCopyId)
      throws SQLException {
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      st.execute("SET search_path = pg_catalog");
    }
    String marker = currentMarker(c);
    if (marker(copyId, "done").equals(marker)) {
      log.info("{} already holds the finished data-only restore of copy {}", target, copyId);
      return RestorePreparation.ALREADY_RESTORED;
    }
    boolean earlier =
        marker(copyId, "in-progress").equals(marker)
            || (replacesCopyId != null
                && marker != null
                && marker.startsWith(MARKER_PREFIX + replacesCopyId + STATE));
    java.util.Set<String> replace =
        replaceTables == null ? java.util.Set.of() : java.util.Set.copyOf(replaceTables);
    List<String> all = new ArrayList<>();
    List<String> truncate = new ArrayList<>();
    List<String> foreign = new ArrayList<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(USER_TABLES)) {
      while (rs.next()) {
        all.add(rs.getString("quoted"));
        if (replace.contains(rs.getString("plain")) || replace.contains(rs.getString("quoted"))) {
          truncate.add(rs.getString("quoted"));
        }
      }
    }
    for (String table : all) {
      if (!truncate.contains(table) && hasRows(c, table)) {
        if (earlier) {
          truncate.add(table);
        } else {
          foreign.add(table);
        }
      }
    }
    if (!foreign.isEmpty()) {
      throw FailureType.PRECONDITION_FAILED.failure(
          "target "
              + target
              + " holds rows that are not copy "
              + copyId
              + "'s to replace (marker: "
              + (marker == null ? "none" : "'" + marker + "'")
              + ") in "
              + foreign.size()
              + " table(s): "
              + String.join(", ", foreign.stream().limit(LISTED).toList())
              + ". Nothing was written. A data-only restore needs empty tables (but for"
              + " copy.replaceTables), or set target.reset to drop and restore everything.");
    }
    if (!truncate.isEmpty()) {
      // CASCADE reaches only tables that are empty or in this list (checked above).
      try (Statement st = c.createStatement()) {
        st.execute("TRUNCATE " + String.join(", ", truncate) + " CASCADE");
      }
      log.info("truncated {} tables of {} before a data-only restore", truncate.size(), target);
    }
    setMarker(c, marker(copyId, "in-progress"));
    return earlier ? RestorePreparation.CLEANED_EARLIER_ATTEMPT : RestorePreparation.EMPTY;
  }

  private static boolean hasRows(Connection c, String quotedTable) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM ONLY " + quotedTable + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /**
   * Prepares a target whose objects are to be replaced (the input said {@code reset}): unless this
   * copy's restore finished there already, ends the other sessions, drops every user object
   * (extensions stay) and marks the database as this copy's.
   */
  static RestorePreparation reset(Connection c, String target, String copyId) throws SQLException {
    c.setAutoCommit(true);
    try (Statement st = c.createStatement()) {
      st.execute("SET search_path = pg_catalog");
    }
    String marker = currentMarker(c);
    List<UserObject> objects = userObjects(c);
    if (marker(copyId, "done").equals(marker) && !objects.isEmpty()) {
      return RestorePreparation.ALREADY_RESTORED;
    }
    setMarker(c, marker(copyId, "in-progress"));
    if (objects.isEmpty()) {
      return RestorePreparation.EMPTY;
    }
    log.warn("{}: reset drops its {} user objects before the restore", target, objects.size());
    endEarlierSessions(c, copyId);
    clean(c);
    List<UserObject> left = userObjects(c);
    if (!left.isEmpty()) {
      throw FailureType.TRANSIENT.failure(
          "could not drop the objects of " + target + " for the reset: " + list(left));
    }
    return RestorePreparation.CLEANED_EARLIER_ATTEMPT;
  }

  /** Records that the restore of this copy finished. */
  static void markDone(Connection c, String copyId) throws SQLException {
    c.setAutoCommit(true);
    setMarker(c, marker(copyId, "done"));
  }

  /** The database's marker comment, or null. */
  static String currentMarker(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_catalog.shobj_description(d.oid, 'pg_database')"
                    + " FROM pg_catalog.pg_database d WHERE d.datname = current_database()")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  static List<UserObject> userObjects(Connection c) throws SQLException {
    List<UserObject> out = new ArrayList<>();
    try (Statement st = c.createStatement()) {
      st.execute("SET search_path = pg_catalog");
      try (ResultSet rs = st.executeQuery(USER_OBJECTS)) {
        while (rs.next()) {
          out.add(new UserObject(rs.getString("kind"), rs.getString("name"), rs.getString("drop")));
        }
      }
    }
    return out;
  }

  private static void setMarker(Connection c, String text) throws SQLException {
    String sql;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT format('COMMENT ON DATABASE %I IS %L', current_database(), ?)")) {
      ps.setString(1, text);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        sql = rs.getString(1);
      }
    }
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState())) {
        throw FailureType.PRECONDITION_FAILED.failure(
            "cannot mark the target database as this copy's (COMMENT ON DATABASE needs its owner"
                + " or a superuser): "
                + e.getMessage());
      }
      throw e;
    }
  }

  /**
   * Ends sessions of an earlier pg_restore of this copy that may still run (its worker died without
   * killing it), so they cannot write while we clean.
   */
  private static void endEarlierSessions(Connection c, String copyId) throws SQLException {
    String sql =
        "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity"
            + " WHERE datname = current_database() AND application_name = ?"
            + " AND pid <> pg_catalog.pg_backend_pid()";
    String count =
        "SELECT count(*) FROM pg_catalog.pg_stat_activity"
            + " WHERE datname = current_database() AND application_name = ?"
            + " AND pid <> pg_catalog.pg_backend_pid()";
    try (PreparedStatement kill = c.prepareStatement(sql);
        PreparedStatement left = c.prepareStatement(count)) {
      kill.setString(1, applicationName(copyId));
      left.setString(1, applicationName(copyId));
      int ended = 0;
      try (ResultSet rs = kill.executeQuery()) {
        while (rs.next()) {
          ended++;
        }
      }
      if (ended > 0) {
        log.warn("ended {} sessions of an earlier pg_restore of copy {}", ended, copyId);
      }
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = left.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 0) {
            return;
          }
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new SQLException("interrupted while waiting for sessions to end", e);
        }
      }
      throw FailureType.TRANSIENT.failure(
          "sessions of an earlier pg_restore of copy " + copyId + " did not end");
    }
  }

  /**
   * Drops every user object, each statement on its own (autocommit, {@code IF EXISTS}): a large
   * database would exhaust the lock table in one transaction, and an interrupted clean is simply
   * run again by the next attempt.
   */
  private static void clean(Connection c) throws SQLException {
    List<UserObject> objects = userObjects(c);
    try (Statement st = c.createStatement()) {
      for (UserObject o : objects) {
        st.execute(o.drop());
      }
    }
    log.info("dropped {} objects of an earlier restore attempt", objects.size());
  }

  private static String list(List<UserObject> objects) {
    List<String> names = objects.stream().limit(LISTED).map(UserObject::describe).toList();
    return String.join(", ", names) + (objects.size() > LISTED ? ", …" : "");
  }
}
