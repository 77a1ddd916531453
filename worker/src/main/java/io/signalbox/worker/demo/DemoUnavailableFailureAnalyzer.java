package io.signalbox.worker.demo;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** {@code ./signalbox dev --demo} without PostgreSQL: what is missing and how to install it. */
public class DemoUnavailableFailureAnalyzer
    extends AbstractFailureAnalyzer<DemoUnavailableException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, DemoUnavailableException cause) {
    return new FailureAnalysis(
        "The demo needs two PostgreSQL servers of its own, and " + cause.getMessage() + ".",
        "Install PostgreSQL (Debian/Ubuntu: `sudo apt-get install postgresql`; the demo runs its"
            + " own servers, the system's service need not run), or point PG_BIN at the directory"
            + " holding initdb, pg_ctl, pg_dump and pg_restore. Without the demo, `./signalbox dev`"
            + " starts the worker and the dev server alone.",
        cause);
  }
}
