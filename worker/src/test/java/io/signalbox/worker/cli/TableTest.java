package io.signalbox.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {

  @Test
  void wrapBreaksAtSpacesAndCutsOnlyWordsLongerThanTheWidth() {
    assertThat(Table.wrap("short", 10)).containsExactly("short");
    assertThat(Table.wrap("one two three four", 9)).containsExactly("one two", "three", "four");
    assertThat(Table.wrap("abcdefghijkl", 5)).containsExactly("abcde", "fghij", "kl");
    assertThat(Table.wrap("line one\nline two", 20)).containsExactly("line one", "line two");
  }

  @Test
  void printWrappedKeepsTheWholeCellAndTheColumnsAligned() {
    String detail =
        "secret reference env:DEMO_SOURCE_PASSWORD: the environment variable is not set on"
            + " this worker";
    StringWriter out = new StringWriter();
    Table.printWrapped(
        new PrintWriter(out, true),
        List.of(List.of("STEP", "DETAIL"), List.of("preflight", detail), List.of("next", "-")));
    List<String> lines = out.toString().lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo("STEP       DETAIL");
    assertThat(lines.get(1)).startsWith("preflight  secret reference").hasSizeLessThanOrEqualTo(71);
    assertThat(lines.get(2)).startsWith("           ");
    assertThat(lines.get(1).substring(11) + " " + lines.get(2).strip()).isEqualTo(detail);
    assertThat(lines.get(3)).isEqualTo("next       -");
  }
}
