package io.signalbox.activities.postgres;

import java.nio.file.Path;

/**
 * The PostgreSQL client tools Signalbox runs, all from one directory.
 *
 * @param binDir the directory they are in
 * @param pgDump {@code pg_dump}
 * @param pgRestore {@code pg_restore}
 * @param psql {@code psql} (may not exist; nothing here needs it)
 * @param major the major version of {@code pg_dump}, e.g. 15
 * @param version the first line of {@code pg_dump --version}
 * @param foundBy how the directory was found: {@code signalbox.pg-bin}, {@code PG_BIN}, {@code
 *     pg_config}, {@code /usr/lib/postgresql} or {@code PATH}
 */
public record PgToolset(
    Path binDir,
    Path pgDump,
    Path pgRestore,
    Path psql,
    int major,
    String version,
    String foundBy) {}
