package io.signalbox.worker.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Plain left-aligned text columns; the first row is the header. */
final class Table {
  private static final int MAX_CELL = 60;

  private Table() {}

  /** Prints the rows; a cell longer than 60 characters is cut, ending in an ellipsis. */
  static void print(PrintWriter out, List<List<String>> rows) {
    int columns = rows.get(0).size();
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      for (int c = 0; c < columns; c++) {
        widths[c] = Math.max(widths[c], cell(row.get(c)).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        String cell = cell(row.get(c));
        line.append(cell);
        if (c < columns - 1) {
          line.append(" ".repeat(widths[c] - cell.length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /**
   * Prints the rows; a cell longer than 60 characters is wrapped (at spaces where it can) onto the
   * next lines of its column, so nothing is cut.
   */
  static void printWrapped(PrintWriter out, List<List<String>> rows) {
    int columns = rows.get(0).size();
    List<List<List<String>>> wrapped = new ArrayList<>();
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      List<List<String>> cells = new ArrayList<>();
      for (int c = 0; c < columns; c++) {
        List<String> lines = wrap(row.get(c) == null ? "-" : row.get(c), MAX_CELL);
        cells.add(lines);
        for (String line : lines) {
          widths[c] = Math.max(widths[c], line.length());
        }
      }
      wrapped.add(cells);
    }
    for (List<List<String>> cells : wrapped) {
      int height = cells.stream().mapToInt(List::size).max().orElse(1);
      for (int l = 0; l < height; l++) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < columns; c++) {
          String part = l < cells.get(c).size() ? cells.get(c).get(l) : "";
          line.append(part);
          if (c < columns - 1) {
            line.append(" ".repeat(widths[c] - part.length() + 2));
          }
        }
        out.println(line.toString().stripTrailing());
      }
    }
  }

  /** Splits text into lines of at most {@code width} characters, at spaces where it can. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    for (String paragraph : text.split("\\R", -1)) {
      String rest = paragraph.strip();
      while (rest.length() > width) {
        int cut = rest.lastIndexOf(' ', width);
        if (cut <= 0) {
          cut = width;
        }
        lines.add(rest.substring(0, cut).stripTrailing());
        rest = rest.substring(cut).stripLeading();
      }
      lines.add(rest);
    }
    return lines;
  }

  private static String cell(String value) {
    String oneLine = value == null ? "-" : value.replace('\n', ' ');
    return oneLine.length() > MAX_CELL ? oneLine.substring(0, MAX_CELL - 1) + "…" : oneLine;
  }
}
