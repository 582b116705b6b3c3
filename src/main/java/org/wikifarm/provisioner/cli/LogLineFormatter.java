package org.wikifarm.provisioner.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * The service log's line: {@code 2026-11-27T03:10:00.123Z INFO logger - message}, then the stack trace of a
 * thrown exception on the lines below. The time is UTC, as its {@code Z} says, whatever the host's zone, and the
 * level its English name whatever the host's locale, so one search finds the same lines on every node.
 * SimpleFormatter with a format string printed the same fields, but ran {@code String.format}'s date
 * conversions for every line (two lines per POST: a tenth of the create request's event-loop CPU in a profile);
 * here the date and time down to the second are formatted once per second and reused.
 */
public final class LogLineFormatter extends Formatter {
  private static final DateTimeFormatter TO_SECOND = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

  /** The epoch second last formatted and its text; replaced whole, so threads never see half of one. */
  private record Second(long epochSecond, String text) {}

  private volatile Second last = new Second(Long.MIN_VALUE, "");

  @Override
  public String format(LogRecord record) {
    long millis = record.getMillis();
    long epochSecond = Math.floorDiv(millis, 1000);
    Second second = last;
    if (second.epochSecond() != epochSecond) {
      second = new Second(epochSecond, TO_SECOND.format(LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC)));
      last = second;
    }
    int milli = (int) Math.floorMod(millis, 1000);
    // a library may log an exception alone (no message): the line still goes out, with its stack trace
    String message = String.valueOf(formatMessage(record));
    StringBuilder line = new StringBuilder(second.text().length() + message.length() + 64)
        .append(second.text()).append('.')
        .append((char) ('0' + milli / 100)).append((char) ('0' + milli / 10 % 10)).append((char) ('0' + milli % 10))
        .append("Z ").append(record.getLevel().getName()).append(' ').append(record.getLoggerName())
        .append(" - ").append(message);
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      PrintWriter printer = new PrintWriter(trace);
      printer.println();
      record.getThrown().printStackTrace(printer);
      printer.flush();
      line.append(trace);
    }
    return line.append(System.lineSeparator()).toString();
  }
}
