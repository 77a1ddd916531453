package io.signalbox.workflows.core;

/**
 * A PostgreSQL database to connect to.
 *
 * @param host host name or address
 * @param port port (default 5432)
 * @param database database name
 * @param user role to connect as
 * @param password a reference to the password, or null for trust/peer authentication
 * @param sslmode libpq sslmode (default {@code prefer})
 * @param allowNonEmpty as a target: allow restoring into a database that has user tables
 */
public record Endpoint(
    String host,
    Integer port,
    String database,
    String user,
    SecretRef password,
    String sslmode,
    Boolean allowNonEmpty) {

  public int portOrDefault() {
    return port == null ? 5432 : port;
  }

  public String sslmodeOrDefault() {
    return sslmode == null ? "prefer" : sslmode;
  }

  /** {@code user@host:port/database}, for messages and evidence. */
  public String describe() {
    return user + "@" + host + ":" + portOrDefault() + "/" + database;
  }
}
