package io.signalbox.worker;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * {@code ./signalbox dev} while the port is taken: what happened and what to do, no stack trace.
 */
public class DevServerPortInUseFailureAnalyzer
    extends AbstractFailureAnalyzer<DevServerPortInUseException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, DevServerPortInUseException cause) {
    return new FailureAnalysis(
        "The Temporal dev server cannot listen on port " + cause.port() + ": it is already in use.",
        "If a Temporal server already runs there, start only the worker: `./signalbox worker`."
            + " Otherwise stop what uses the port, or choose another with"
            + " --signalbox.dev-server.port=PORT.",
        cause);
  }
}
