package io.signalbox.activities.command;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the last {@code capacity} bytes written, the total byte count and a SHA-256 of everything,
 * so a command's output is described exactly without ever being held in memory. Optionally hands
 * each complete line (bounded in length) to a listener, e.g. to count tables restored.
 *
 * <p>One pump thread writes; other threads may read {@link #totalBytes()} at any time.
 */
final class TailOutputStream extends OutputStream {
  private static final Logger log = LoggerFactory.getLogger(TailOutputStream.class);
  private static final int MAX_LINE = 8 * 1024;

  private final byte[] ring;
  private final MessageDigest sha256;
  private final Consumer<String> lineListener;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private boolean lineOverflow;
  private int next;
  private volatile long total;
  private String digest;

  TailOutputStream(int capacity, Consumer<String> lineListener) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.ring = new byte[capacity];
    this.lineListener = lineListener;
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  @Override
  public void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (len <= 0) {
      return;
    }
    sha256.update(b, off, len);
    if (lineListener != null) {
      splitLines(b, off, len);
    }
    if (len >= ring.length) {
      System.arraycopy(b, off + len - ring.length, ring, 0, ring.length);
      next = 0;
    } else {
      int first = Math.min(len, ring.length - next);
      System.arraycopy(b, off, ring, next, first);
      System.arraycopy(b, off + first, ring, 0, len - first);
      next = (next + len) % ring.length;
    }
    total += len;
  }

  private void splitLines(byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      byte c = b[i];
      if (c == '\n') {
        emitLine();
      } else if (line.size() < MAX_LINE) {
        line.write(c);
      } else {
        lineOverflow = true;
      }
    }
  }

  private void emitLine() {
    String text = line.toString(StandardCharsets.UTF_8);
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    if (lineOverflow) {
      text = text + "…";
    }
    line.reset();
    lineOverflow = false;
    try {
      lineListener.accept(text);
    } catch (RuntimeException e) {
      // A listener bug must not stop the pump: the child would block on a full pipe.
      log.warn("output line listener failed", e);
    }
  }

  @Override
  public synchronized void close() {
    if (lineListener != null && line.size() > 0) {
      emitLine();
    }
  }

  /** Bytes written so far. */
  long totalBytes() {
    return total;
  }

  /** The captured output; call once the pump has finished. */
  synchronized OutputCapture capture() {
    if (digest == null) {
      digest = HexFormat.of().formatHex(sha256.digest());
    }
    int kept = (int) Math.min(total, ring.length);
    byte[] tail = new byte[kept];
    if (total <= ring.length) {
      System.arraycopy(ring, 0, tail, 0, kept);
    } else {
      System.arraycopy(ring, next, tail, 0, ring.length - next);
      System.arraycopy(ring, 0, tail, ring.length - next, next);
    }
    return new OutputCapture(
        new String(tail, StandardCharsets.UTF_8), total, digest, total > ring.length);
  }
}
