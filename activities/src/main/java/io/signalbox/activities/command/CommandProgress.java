package io.signalbox.activities.command;

import java.time.Duration;

/**
 * A running command's progress, handed to the {@link CommandRunner.ProgressListener}.
 *
 * @param pid the child's process id
 * @param elapsed time since the child started
 * @param stdoutBytes bytes written to stdout so far
 * @param stderrBytes bytes written to stderr so far
 */
public record CommandProgress(long pid, Duration elapsed, long stdoutBytes, long stderrBytes) {}
