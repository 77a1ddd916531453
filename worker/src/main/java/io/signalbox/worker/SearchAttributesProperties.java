package io.signalbox.worker;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Signalbox's search attributes ({@code SignalboxRunbook}, {@code SignalboxPhase}, …), under {@code
 * signalbox.search-attributes}.
 *
 * @param register whether the worker may register the missing ones on the Temporal server at
 *     start-up (fine on the dev server and a local server); when false, or when the server refuses,
 *     it logs one line with the command an operator runs instead
 */
@ConfigurationProperties("signalbox.search-attributes")
public record SearchAttributesProperties(@DefaultValue("true") boolean register) {}
