package io.signalbox.activities.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link CopyTextChecksum}: an order-independent checksum of COPY text rows. */
class CopyTextChecksumTest {

  /** COPY text rows with the escapes and text forms of the common types. */
  private static final List<String> ROWS =
      List.of(
          "1\ttab\\there\tnew\\nline\tback\\\\slash\t\\N",
          "2\t\\\\x00ff\t\\\\x\t0.1\t-Infinity\tNaN\t1e+100",
          "3\t2026-11-26 01:02:03.456789+00\t2026-11-26\t1 day 02:00:00",
          "4\t{\"a\": [1, 2.50], \"b\": null}\t{1,NULL,3}\t{\"a b\",\"c\\\\\"d\",NULL}",
          "5\t\\\\x\t\\N\t\\N\t\\N",
          "6\tüñí€ode\t\t",
          "7\t\\.x\t\\\\.",
          "8");

  private static String checksum(List<String> rows) {
    return of(String.join("\n", rows) + "\n").checksum();
  }

  private static CopyTextChecksum of(String text) {
    CopyTextChecksum c = new CopyTextChecksum();
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    c.write(b, 0, b.length);
    c.close();
    return c;
  }

  @Test
  void theSameRowsInAnotherOrderGiveTheSameChecksum() {
    List<String> shuffled = new ArrayList<>(ROWS);
    Collections.shuffle(shuffled, new Random(7));
    assertThat(shuffled).isNotEqualTo(ROWS);

    assertThat(checksum(shuffled)).isEqualTo(checksum(ROWS)).startsWith(CopyTextChecksum.PREFIX);
    assertThat(checksum(ROWS)).hasSize(CopyTextChecksum.PREFIX.length() + 16);
    assertThat(of(String.join("\n", ROWS) + "\n").rows()).isEqualTo(ROWS.size());
  }

  @Test
  void oneChangedValueChangesIt() {
    for (int i = 0; i < ROWS.size(); i++) {
      List<String> changed = new ArrayList<>(ROWS);
      changed.set(i, ROWS.get(i) + "0");
      assertThat(checksum(changed)).as("row %d", i).isNotEqualTo(checksum(ROWS));
    }
    // A NULL is not an empty string, nor the text "N".
    assertThat(checksum(List.of("1\t\\N"))).isNotEqualTo(checksum(List.of("1\t")));
    assertThat(checksum(List.of("1\t\\N"))).isNotEqualTo(checksum(List.of("1\tN")));
    // A value moved to the next column is another row.
    assertThat(checksum(List.of("a\tb", "c\td"))).isNotEqualTo(checksum(List.of("a\tbc", "\td")));
  }

  @Test
  void oneMissingOrExtraRowChangesIt() {
    List<String> missing = new ArrayList<>(ROWS);
    missing.remove(3);
    List<String> extra = new ArrayList<>(ROWS);
    extra.add("9\tnew");
    List<String> duplicate = new ArrayList<>(ROWS);
    duplicate.add(ROWS.get(0));

    assertThat(checksum(missing)).isNotEqualTo(checksum(ROWS));
    assertThat(checksum(extra)).isNotEqualTo(checksum(ROWS));
    assertThat(checksum(duplicate)).isNotEqualTo(checksum(ROWS));
    assertThat(of(String.join("\n", duplicate) + "\n").rows()).isEqualTo(ROWS.size() + 1);
  }

  @Test
  void aDataFileEndsAtItsEndMarkerAndRowsMaySplitAnywhere() {
    String stream = String.join("\n", ROWS) + "\n";
    String file = stream + "\\.\n\n\n";
    byte[] bytes = file.getBytes(StandardCharsets.UTF_8);
    String whole = of(stream).checksum();

    assertThat(of(file).checksum()).isEqualTo(whole);
    assertThat(of(file).rows()).isEqualTo(ROWS.size());
    assertThat(of("\\.\n\n\n").rows()).isZero();
    assertThat(of("\\.\n\n\n").checksum()).isEqualTo(of("").checksum());
    for (int chunk = 1; chunk <= 17; chunk++) {
      CopyTextChecksum c = new CopyTextChecksum();
      for (int off = 0; off < bytes.length; off += chunk) {
        c.write(bytes, off, Math.min(chunk, bytes.length - off));
      }
      c.close();
      assertThat(c.checksum()).as("chunks of %d", chunk).isEqualTo(whole);
      assertThat(c.rows()).isEqualTo(ROWS.size());
    }
  }

  @Test
  void anEmptyLineIsARow() {
    // A table without columns has one empty line per row (pg_dump writes them so).
    assertThat(of("\n\n").rows()).isEqualTo(2);
    assertThat(of("\n\n").checksum()).isNotEqualTo(of("\n").checksum());
  }
}
