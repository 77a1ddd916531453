package io.signalbox.activities.postgres;

/**
 * How far a restore is, for heartbeats.
 *
 * @param tablesDone tables whose data pg_restore has finished loading
 * @param tablesTotal tables with data in the dump
 * @param elapsedMillis time since pg_restore started
 */
public record RestoreProgress(int tablesDone, int tablesTotal, long elapsedMillis) {}
