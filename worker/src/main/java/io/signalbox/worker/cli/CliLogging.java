package io.signalbox.worker.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Logging for the modes that run without Spring (the CLI and the dev server alone): Spring Boot
 * does not configure Logback there, and Logback's own default logs everything at DEBUG.
 */
final class CliLogging {
  private CliLogging() {}

  /** The CLI: silent, so its output is only what it prints; {@code verbose} shows the logs. */
  static void cli(boolean verbose) {
    configure(verbose ? Level.INFO : Level.OFF, "System.err");
    // gRPC logs through java.util.logging (e.g. a host name that does not resolve).
    java.util.logging.LogManager.getLogManager().reset();
    if (verbose) {
      SLF4JBridgeHandler.install();
    }
  }

  /** The dev server alone: its own messages on stdout, the libraries' only when they warn. */
  static void server() {
    configure(Level.WARN, "System.out");
    logger("io.signalbox").setLevel(Level.INFO);
    java.util.logging.LogManager.getLogManager().reset();
    SLF4JBridgeHandler.install();
  }

  private static void configure(Level root, String target) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.reset();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n");
    encoder.start();
    ConsoleAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setTarget(target);
    appender.setEncoder(encoder);
    appender.start();
    Logger rootLogger = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    rootLogger.addAppender(appender);
    rootLogger.setLevel(root);
    if (root != Level.OFF) {
      logger("io.grpc").setLevel(Level.WARN);
      logger("io.netty").setLevel(Level.WARN);
    }
  }

  private static Logger logger(String name) {
    return (Logger) LoggerFactory.getLogger(name);
  }
}
