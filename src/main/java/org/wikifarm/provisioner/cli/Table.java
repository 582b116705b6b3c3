package org.wikifarm.provisioner.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** A plain-text table with aligned columns, and the formats the commands share for times and durations. */
final class Table {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'")
      .withZone(ZoneOffset.UTC);

  private final String[] header;
  private final List<String[]> rows = new ArrayList<>();

  Table(String... header) {
    this.header = header;
  }

  void row(String... cells) {
    rows.add(cells);
  }

  void print(PrintStream out) {
    int[] width = new int[header.length];
    for (int i = 0; i < header.length; i++) {
      width[i] = header[i].length();
      for (String[] row : rows) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    print(out, header, width);
    rows.forEach(row -> print(out, row, width));
    if (rows.isEmpty()) {
      out.println("(none)");
    }
  }

  private static void print(PrintStream out, String[] cells, int[] width) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      line.append(i == cells.length - 1 ? cells[i] : String.format("%-" + width[i] + "s  ", cells[i]));
    }
    out.println(line.toString().stripTrailing());
  }

  static String time(Instant t) {
    return t == null ? "-" : TIME.format(t);
  }

  /** From {@code start} to {@code end} (or to now while it runs); "-" before it started. */
  static String duration(Instant start, Instant end) {
    if (start == null) {
      return "-";
    }
    return seconds(Duration.between(start, end == null ? Instant.now() : end)) + (end == null ? "…" : "");
  }

  static String seconds(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 60_000) {
      return String.format("%.1fs", ms / 1000.0);
    }
    return (ms / 60_000) + "m" + String.format("%02d", (ms / 1000) % 60) + "s";
  }

  /** One line of at most {@code max} characters. */
  static String shorten(String text, int max) {
    if (text == null) {
      return "-";
    }
    String line = text.replaceAll("\\s+", " ").strip();
    return line.length() <= max ? line : line.substring(0, max - 1) + "…";
  }
}
