package org.wikifarm.provisioner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.TimeZone;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogLineFormatterTest {
  private final TimeZone hostZone = TimeZone.getDefault();
  private final LogLineFormatter format = new LogLineFormatter();

  @AfterEach
  void restoreZone() {
    TimeZone.setDefault(hostZone);
  }

  @Test
  void theTimeIsUtcWhateverTheHostsZoneAndMarkedZ() {
    TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati")); // UTC+14: the date differs too
    LogRecord record = record(Level.INFO, "queued task {0}", "t-1");
    record.setInstant(Instant.parse("2026-11-27T03:10:00.123Z"));
    assertEquals("2026-11-27T03:10:00.123Z INFO org.wikifarm.test - queued task t-1" + System.lineSeparator(),
        format.format(record));
  }

  @Test
  void millisecondsArePaddedAndTheCachedSecondMovesOn() {
    LogRecord first = record(Level.WARNING, "a");
    first.setInstant(Instant.parse("2026-12-31T23:59:59.007Z"));
    LogRecord next = record(Level.WARNING, "b");
    next.setInstant(Instant.parse("2027-01-01T00:00:00.050Z"));
    assertTrue(format.format(first).startsWith("2026-12-31T23:59:59.007Z WARNING "));
    assertTrue(format.format(next).startsWith("2027-01-01T00:00:00.050Z WARNING "));
    assertTrue(format.format(first).startsWith("2026-12-31T23:59:59.007Z "), "an older second again");
  }

  @Test
  void aThrownExceptionFollowsWithItsStackTrace() {
    LogRecord record = record(Level.SEVERE, "failed");
    record.setThrown(new IllegalStateException("the cause"));
    String[] lines = format.format(record).split(System.lineSeparator());
    assertTrue(lines[0].endsWith(" SEVERE org.wikifarm.test - failed"), lines[0]);
    assertEquals("java.lang.IllegalStateException: the cause", lines[1]);
    assertTrue(lines[2].trim().startsWith("at " + LogLineFormatterTest.class.getName()), lines[2]);
  }

  @Test
  void aRecordWithoutAMessageStillGoesOutWithItsStackTrace() {
    LogRecord record = record(Level.WARNING, null); // as a library logging only an exception does
    record.setThrown(new java.nio.channels.ClosedChannelException());
    String[] lines = format.format(record).split(System.lineSeparator());
    assertTrue(lines[0].endsWith(" WARNING org.wikifarm.test - null"), lines[0]);
    assertEquals("java.nio.channels.ClosedChannelException", lines[1]);
  }

  private static LogRecord record(Level level, String message, Object... parameters) {
    LogRecord record = new LogRecord(level, message);
    record.setLoggerName("org.wikifarm.test");
    record.setParameters(parameters);
    return record;
  }
}
