package io.signalbox.activities.postgres;

/**
 * How far a dump is, for heartbeats.
 *
 * @param bytes bytes written to the dump directory so far
 * @param elapsedMillis time since pg_dump started
 */
public record DumpProgress(long bytes, long elapsedMillis) {}
