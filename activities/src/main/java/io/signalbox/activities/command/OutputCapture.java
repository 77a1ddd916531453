package io.signalbox.activities.command;

/**
 * What a command wrote to one stream: the end of it, and an exact description of all of it.
 *
 * @param tail the last bytes written (at most the configured tail size), decoded as UTF-8
 * @param totalBytes every byte written, counted exactly
 * @param sha256 hex SHA-256 of every byte written
 * @param truncated whether {@code tail} is shorter than the whole output
 */
public record OutputCapture(String tail, long totalBytes, String sha256, boolean truncated) {}
