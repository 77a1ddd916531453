package io.signalbox.workflows.core;

/**
 * One step of a run as {@code status} and the result show it.
 *
 * @param name the step's name, e.g. {@code preflight}, or {@code undo:freeze} for a compensation
 * @param state its state
 * @param startedAt ISO-8601 instant (workflow time)
 * @param endedAt ISO-8601 instant, null while running
 * @param detail a one-line summary: what it did, or why it failed
 */
public record StepRecord(
    String name, StepState state, String startedAt, String endedAt, String detail) {

  StepRecord end(StepState newState, String endedAt, String detail) {
    return new StepRecord(name, newState, startedAt, endedAt, detail);
  }
}
