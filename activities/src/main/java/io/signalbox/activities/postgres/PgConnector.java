package io.signalbox.activities.postgres;

import io.signalbox.activities.secrets.SecretResolver;
import io.signalbox.workflows.core.Endpoint;
import io.signalbox.workflows.core.FailureType;
import io.signalbox.workflows.core.SecretRef;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Function;

/**
 * Opens PgJDBC connections to an {@link Endpoint}, with the password resolved through the {@link
 * SecretResolver} at the last moment. The password only ever lives in the driver's properties: it
 * is not part of the URL, not logged, not in any message.
 */
public final class PgConnector {

  /** {@code application_name} of every Signalbox session, so operators can tell them apart. */
  public static final String APPLICATION_NAME = "signalbox";

  private final Function<SecretRef, String> secrets;

  public PgConnector(SecretResolver secrets) {
    this(secrets::resolve);
  }

  /**
   * @param secrets resolves a password reference to its value, on the worker
   */
  public PgConnector(Function<SecretRef, String> secrets) {
    this.secrets = secrets;
  }

  /** A new connection to the endpoint's database. */
  public Connection open(Endpoint endpoint) throws SQLException {
    return open(endpoint, endpoint == null ? null : endpoint.database());
  }

  /**
   * A new connection to another database of the endpoint's server (e.g. {@code postgres} to create
   * or drop the endpoint's database).
   */
  public Connection open(Endpoint endpoint, String database) throws SQLException {
    return open(endpoint, database, APPLICATION_NAME);
  }

  /**
   * A new connection with its own {@code application_name} (e.g. {@code signalbox-snapshot
   * <copy>}), so a session can be told apart in {@code pg_stat_activity}.
   */
  public Connection open(Endpoint endpoint, String database, String applicationName)
      throws SQLException {
    validate(endpoint);
    if (database == null || database.isBlank()) {
      throw FailureType.INVALID_INPUT.failure("endpoint " + endpoint.describe() + ": no database");
    }
    Properties props = new Properties();
    props.setProperty("user", endpoint.user());
    if (endpoint.password() != null) {
      props.setProperty("password", secrets.apply(endpoint.password()));
    }
    props.setProperty("sslmode", endpoint.sslmodeOrDefault());
    props.setProperty(
        "ApplicationName", applicationName == null ? APPLICATION_NAME : applicationName);
    props.setProperty("connectTimeout", "10");
    props.setProperty("loginTimeout", "20");
    props.setProperty("tcpKeepAlive", "true");
    return DriverManager.getConnection(url(endpoint, database), props);
  }

  /** The JDBC URL without credentials: {@code jdbc:postgresql://host:port/db}. */
  public static String url(Endpoint endpoint, String database) {
    String host = endpoint.host();
    if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]"; // IPv6 literal
    }
    // PgJDBC URL-decodes the database name, so any name (spaces, slashes, quotes) survives.
    return "jdbc:postgresql://"
        + host
        + ":"
        + endpoint.portOrDefault()
        + "/"
        + URLEncoder.encode(database, StandardCharsets.UTF_8);
  }

  private static void validate(Endpoint e) {
    if (e == null) {
      throw FailureType.INVALID_INPUT.failure("no endpoint given");
    }
    if (blank(e.host()) || blank(e.user()) || blank(e.database())) {
      throw FailureType.INVALID_INPUT.failure(
          "endpoint " + e.describe() + ": host, database and user are required");
    }
    if (e.portOrDefault() < 1 || e.portOrDefault() > 65535) {
      throw FailureType.INVALID_INPUT.failure("endpoint " + e.describe() + ": port out of range");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
