package io.signalbox.activities.postgres;

import java.nio.file.Path;
import java.util.List;

/**
 * A finished dump.
 *
 * @param dir the dump directory
 * @param argv the pg_dump argv (no password: that went through a pgpass file)
 * @param bytes the size of the dump's files
 * @param files the number of the dump's files
 * @param durationMillis how long pg_dump ran
 * @param pgDumpVersion {@code pg_dump --version}
 * @param stderrTail the end of pg_dump's stderr (warnings)
 */
public record DumpOutcome(
    Path dir,
    List<String> argv,
    long bytes,
    int files,
    long durationMillis,
    String pgDumpVersion,
    String stderrTail) {}
