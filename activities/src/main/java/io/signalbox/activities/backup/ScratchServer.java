package io.signalbox.activities.backup;

import io.signalbox.activities.postgres.PgAmcheck;
import io.signalbox.activities.postgres.PgConnector;
import io.signalbox.activities.postgres.PgErrors;
import io.signalbox.workflows.backup.BackupActivities.ScratchCheckRequest;
import io.signalbox.workflows.backup.BackupActivities.ScratchReport;
import io.signalbox.workflows.backup.BackupActivities.ScratchRequest;
import io.signalbox.workflows.backup.BackupActivities.ScratchResult;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scratch server of a backup verification: checks it can take one, creates and drops the
 * scratch database. Only {@code signalbox_verify_…} names are ever created or dropped.
 */
final class ScratchServer {
  private static final Logger log = LoggerFactory.getLogger(ScratchServer.class);
  private static final Pattern SCRATCH_NAME = Pattern.compile("signalbox_verify_[0-9a-z]{1,40}");

  private final PgConnector connector;
  private final PgAmcheck amcheck;

  ScratchServer(PgConnector connector, PgAmcheck amcheck) {
    this.connector = connector;
    this.amcheck = amcheck;
  }

  ScratchReport checkScratch(ScratchCheckRequest request) {
    Endpoint scratch =
        BackupActivitiesImpl.required(request == null ? null : request.scratch(), "scratch");
    String pgAmcheckVersion = amcheck.version();
    try (Connection c = connector.open(scratch)) {
      int versionNum;
      String version;
      boolean superuser;
      boolean createDb;
      boolean amcheckAvailable;
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT current_setting('server_version_num')::int,"
                      + " current_setting('server_version'), r.rolsuper, r.rolcreatedb,"
                      + " EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'amcheck')"
                      + " FROM pg_roles r WHERE r.rolname = current_user")) {
        rs.next();
        versionNum = rs.getInt(1);
        version = rs.getString(2);
        superuser = rs.getBoolean(3);
        createDb = rs.getBoolean(4);
        amcheckAvailable = rs.getBoolean(5);
      }
      List<String> problems = new ArrayList<>();
      if (!superuser && !createDb) {
        problems.add(
            "the user "
                + scratch.user()
                + " may not create databases: ALTER ROLE "
                + scratch.user()
                + " CREATEDB (or use another user)");
      }
      if (!amcheckAvailable) {
        problems.add(
            "the amcheck extension is not available on the server: install PostgreSQL's contrib"
                + " modules there");
      } else if (!superuser && !amcheckInTemplate(scratch)) {
        problems.add(
            "pg_amcheck needs the amcheck extension, which only a superuser may create: use a"
                + " superuser for scratch, or CREATE EXTENSION amcheck in template1 and GRANT"
                + " EXECUTE on its functions to "
                + scratch.user());
      }
      if (!problems.isEmpty()) {
        throw FailureType.PRECONDITION_FAILED.failure(
            "scratch server "
                + scratch.describe()
                + " refused: "
                + String.join("; ", problems)
                + ".");
      }
      List<String> leftovers = new ArrayList<>();
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery(
                  "SELECT datname FROM pg_database WHERE datname LIKE 'signalbox\\_verify\\_%'"
                      + " ORDER BY 1")) {
        while (rs.next()) {
          leftovers.add(rs.getString(1));
        }
      }
      return new ScratchReport(
          scratch.describe(),
          versionNum,
          version,
          superuser,
          superuser || createDb,
          pgAmcheckVersion,
          leftovers);
    } catch (SQLException e) {
      throw PgErrors.failure("check scratch server " + scratch.describe(), e);
    }
  }

  private boolean amcheckInTemplate(Endpoint scratch) {
    try (Connection c = connector.open(scratch, "template1");
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')")) {
      rs.next();
      return rs.getBoolean(1);
    } catch (SQLException e) {
      log.debug("cannot look into template1 of {}: {}", scratch.describe(), e.getMessage());
      return false;
    }
  }

  ScratchResult createScratch(ScratchRequest request) {
    Endpoint scratch =
        BackupActivitiesImpl.required(request == null ? null : request.scratch(), "scratch");
    String name = scratchName(request.name());
    try (Connection c = connector.open(scratch)) {
      if (exists(c, name)) {
        // The name carries the run id: only an earlier attempt of this run created it.
        log.info("scratch database {} already exists (an earlier attempt)", name);
        return new ScratchResult(name, false);
      }
      String sql = "CREATE DATABASE " + quote(name);
      String templateEncoding = templateEncoding(c);
      if (request.encoding() != null && !request.encoding().equalsIgnoreCase(templateEncoding)) {
        // template1 has another encoding: template0 with the C locale takes any encoding.
        sql +=
            " TEMPLATE template0 ENCODING "
                + literal(request.encoding())
                + " LC_COLLATE 'C' LC_CTYPE 'C'";
      }
      try (Statement st = c.createStatement()) {
        st.execute(sql);
      }
      log.info("created scratch database {} on {}", name, scratch.describe());
      return new ScratchResult(name, true);
    } catch (SQLException e) {
      if ("42P04".equals(e.getSQLState())) { // duplicate_database: a concurrent earlier attempt
        return new ScratchResult(name, false);
      }
      throw PgErrors.failure("create scratch database " + name + " on " + scratch.describe(), e);
    }
  }

  ScratchResult dropScratch(ScratchRequest request) {
    Endpoint scratch =
        BackupActivitiesImpl.required(request == null ? null : request.scratch(), "scratch");
    String name = scratchName(request.name());
    try (Connection c = connector.open(scratch)) {
      if (!exists(c, name)) {
        return new ScratchResult(name, false);
      }
      boolean force = serverVersionNum(c) >= 130000;
      for (int attempt = 1; ; attempt++) {
        // Sessions still open in it (a pg_restore being cancelled) are ended first.
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE datname = ? AND pid <> pg_backend_pid()")) {
          ps.setString(1, name);
          ps.execute();
        }
        try (Statement st = c.createStatement()) {
          st.execute("DROP DATABASE IF EXISTS " + quote(name) + (force ? " WITH (FORCE)" : ""));
          log.info("dropped scratch database {} on {}", name, scratch.describe());
          return new ScratchResult(name, true);
        } catch (SQLException e) {
          // 55006: a session connected between the termination and the drop.
          if (!"55006".equals(e.getSQLState()) || attempt >= 5) {
            throw e;
          }
          sleep(Duration.ofMillis(500L * attempt));
        }
      }
    } catch (SQLException e) {
      throw PgErrors.failure("drop scratch database " + name + " on " + scratch.describe(), e);
    }
  }

  private static String scratchName(String name) {
    if (name == null || !SCRATCH_NAME.matcher(name).matches()) {
      throw FailureType.INVALID_INPUT.failure(
          "refusing scratch database name " + name + ": only signalbox_verify_… names are used");
    }
    return name;
  }

  private static boolean exists(Connection c, String name) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      ps.setString(1, name);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static String templateEncoding(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "SELECT pg_encoding_to_char(encoding) FROM pg_database"
                    + " WHERE datname = 'template1'")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static int serverVersionNum(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1));
    }
  }

  /** A quoted identifier, as {@code quote_ident} makes it. */
  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureType.TRANSIENT.failure("interrupted");
    }
  }
}
