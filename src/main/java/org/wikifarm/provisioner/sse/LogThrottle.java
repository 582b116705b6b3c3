package org.wikifarm.provisioner.sse;

import java.time.Duration;
import java.util.logging.Logger;

/**
 * A warning that may happen to thousands of clients or events at once (a load spike, Redis going away) is
 * logged at most once per period, with the number of like ones held back since: the log stays readable and
 * still says what happened and what to do. Thread-safe.
 */
final class LogThrottle {
  private final Logger log;
  private final long periodNanos;
  private long nextAt = System.nanoTime();
  private long held;

  LogThrottle(Logger log, Duration period) {
    this.log = log;
    this.periodNanos = period.toNanos();
  }

  synchronized void warning(String line) {
    long now = System.nanoTime();
    if (now - nextAt < 0) {
      held++;
      return;
    }
    log.warning(held == 0 ? line : line + " (and " + held + " more like it since the last such line)");
    held = 0;
    nextAt = now + periodNanos;
  }
}
