package io.signalbox.worker.cli;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading JSON files given on the command line, with errors a person can act on. */
final class JsonFiles {
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(SerializationFeature.INDENT_OUTPUT);

  private JsonFiles() {}

  /**
   * Reads one JSON document.
   *
   * @throws CliException {@link CliException#USAGE} naming the file and, for bad JSON, the line and
   *     column
   */
  static JsonNode read(Path file) {
    String text;
    try {
      if (Files.isDirectory(file)) {
        throw new CliException(CliException.USAGE, "cannot read " + file + ": it is a directory");
      }
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new CliException(CliException.USAGE, "cannot read " + file + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new CliException(CliException.USAGE, "cannot read " + file + ": permission denied", e);
    } catch (IOException e) {
      throw new CliException(CliException.USAGE, "cannot read " + file + ": " + e.getMessage(), e);
    }
    if (text.isBlank()) {
      throw new CliException(CliException.USAGE, file + " is empty: expected a JSON object");
    }
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new CliException(
          CliException.USAGE,
          file + " is not valid JSON" + where + ": " + firstLine(e.getOriginalMessage()),
          e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
