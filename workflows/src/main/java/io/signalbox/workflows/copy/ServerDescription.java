package io.signalbox.workflows.copy;

import java.util.List;

/**
 * A PostgreSQL server and one of its databases, as {@link PostgresActivities#describe} saw them.
 *
 * @param endpoint {@code user@host:port/database}
 * @param versionNum {@code server_version_num}, e.g. 150008
 * @param version {@code server_version}, e.g. {@code 15.8 (Debian 15.8-1)}
 * @param versionString {@code version()}, with platform and compiler
 * @param sizeBytes {@code pg_database_size} of the database
 * @param extensions the installed extensions, sorted by name
 * @param userTableCount tables (ordinary and partitioned) outside the system schemas, not counting
 *     tables that belong to an extension
 * @param encoding the database's encoding
 * @param collation the database's {@code LC_COLLATE}
 * @param inRecovery whether the server is a standby
 */
public record ServerDescription(
    String endpoint,
    int versionNum,
    String version,
    String versionString,
    long sizeBytes,
    List<Extension> extensions,
    int userTableCount,
    String encoding,
    String collation,
    boolean inRecovery) {

  /** The major version, e.g. 15 for 150008. */
  public int majorVersion() {
    return versionNum / 10000;
  }

  /** The names of the installed extensions. */
  public List<String> extensionNames() {
    return extensions == null ? List.of() : extensions.stream().map(Extension::name).toList();
  }

  /**
   * An installed extension.
   *
   * @param name extension name
   * @param version installed version
   */
  public record Extension(String name, String version) {}
}
