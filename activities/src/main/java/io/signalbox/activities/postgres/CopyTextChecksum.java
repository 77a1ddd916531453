package io.signalbox.activities.postgres;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * An order-independent checksum of one table's rows in {@code COPY ... TO STDOUT} text format, as
 * pg_dump writes them into a directory dump's data files ({@code 3581.dat}) and as {@code COPY
 * table (columns) TO STDOUT} streams them from a target: the wrapping sum over all rows of a 64-bit
 * FarmHash fingerprint of the row's line (without its newline), and the number of rows.
 *
 * <p>COPY text has one row per line: a newline, tab or backslash inside a value is escaped ({@code
 * \n}, {@code \t}, {@code \\}) and NULL is {@code \N}, so a line is exactly one row and no value
 * can run into the next. A data file ends with the line {@code \.} (and empty lines after it); that
 * line and everything after it are not rows, and a row can never be {@code \.} (its backslash would
 * be doubled).
 *
 * <p>The same rows in any order give the same sum; one changed value changes its row's line and so,
 * but with a chance of 2<sup>-64</sup>, the sum; a missing or extra row changes the sum and the
 * count. Feed it bytes with {@link #write(byte[], int, int)} (it is an {@link OutputStream}, so a
 * {@code CopyManager.copyOut} can write into it); lines may be split anywhere across writes.
 */
public final class CopyTextChecksum extends OutputStream {

  /**
   * Marks a checksum computed here, so a manifest's checksums say which way the target must be
   * read: this prefix, then the sum as 16 hex digits. Checksums without it are the server-side
   * {@code sum(hashtextextended(row::text, 0))} as a decimal number ({@link Inspector#statsQuery}).
   */
  public static final String PREFIX = "copytext-fp64:";

  private static final HashFunction FINGERPRINT = Hashing.farmHashFingerprint64();

  private byte[] carry = new byte[256];
  private int carried;
  private boolean ended;
  private long rows;
  private long sum;

  /** Whether {@code checksum} is one of ours (a {@link #PREFIX} checksum). */
  public static boolean isCopyText(String checksum) {
    return checksum != null && checksum.startsWith(PREFIX);
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] buf, int off, int len) {
    if (ended) {
      return;
    }
    int end = off + len;
    int start = off;
    for (int i = off; i < end; i++) {
      if (buf[i] != '\n') {
        continue;
      }
      if (carried > 0) {
        append(buf, start, i - start);
        line(carry, 0, carried);
        carried = 0;
      } else {
        line(buf, start, i - start);
      }
      if (ended) {
        return;
      }
      start = i + 1;
    }
    if (start < end) {
      append(buf, start, end - start);
    }
  }

  private void append(byte[] buf, int off, int len) {
    if (carried + len > carry.length) {
      carry = Arrays.copyOf(carry, Math.max(carry.length * 2, carried + len));
    }
    System.arraycopy(buf, off, carry, carried, len);
    carried += len;
  }

  private void line(byte[] buf, int off, int len) {
    if (len == 2 && buf[off] == '\\' && buf[off + 1] == '.') {
      ended = true; // end of data in a pg_dump data file
      return;
    }
    rows++;
    sum += FINGERPRINT.hashBytes(buf, off, len).asLong();
  }

  /** Ends a last line without a newline (COPY always ends rows with one; this is for safety). */
  @Override
  public void close() {
    if (carried > 0 && !ended) {
      line(carry, 0, carried);
      carried = 0;
    }
  }

  /** The rows seen so far (call {@link #close} first if the input may lack a final newline). */
  public long rows() {
    return rows;
  }

  /** The checksum: {@link #PREFIX} and the sum as 16 lower-case hex digits. */
  public String checksum() {
    return PREFIX + String.format("%016x", sum);
  }
}
