package org.wikifarm.provisioner.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns a byte stream arriving in arbitrary chunks (Docker frames, pipe reads) into text lines. Lines end at
 * {@code \n}, {@code \r\n} or a lone {@code \r} (progress-style output); bytes are decoded as UTF-8 only once a
 * line is complete, so multi-byte characters split across chunks survive. Very long lines are cut at
 * {@link #MAX_LINE_BYTES} so a program that never prints a newline cannot exhaust memory. One splitter per
 * stream; not thread-safe.
 */
final class LineSplitter {
  static final int MAX_LINE_BYTES = 16 * 1024;

  private final Consumer<String> lines;
  private final ByteArrayOutputStream current = new ByteArrayOutputStream();
  private boolean afterCr;

  LineSplitter(Consumer<String> lines) {
    this.lines = lines;
  }

  void accept(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        if (!afterCr) {
          emit();
        }
        afterCr = false;
      } else if (b == '\r') {
        emit();
        afterCr = true;
      } else {
        afterCr = false;
        current.write(b);
        if (current.size() >= MAX_LINE_BYTES) {
          emit();
        }
      }
    }
  }

  /** Emits a last line that had no terminator. */
  void finish() {
    if (current.size() > 0) {
      emit();
    }
  }

  private void emit() {
    String line = current.toString(StandardCharsets.UTF_8);
    current.reset();
    lines.accept(line);
  }
}
