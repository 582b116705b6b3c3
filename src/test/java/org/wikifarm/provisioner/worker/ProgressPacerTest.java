package org.wikifarm.provisioner.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import org.junit.jupiter.api.Test;

/** Progress inside a long phase: moves, follows the phase's usual duration, never reaches the phase's value. */
class ProgressPacerTest {

  @Test
  void risesMonotonicallyAndStaysBelowThePhasesOwnValue() {
    int previous = 40;
    for (long ms = 0; ms <= 600_000; ms += 250) {
      int p = ProgressPacer.at(40, 60, Duration.ofMillis(ms), Duration.ofSeconds(30));
      assertTrue(p >= previous, "monotonic at " + ms + " ms: " + p + " < " + previous);
      assertTrue(p < 60, "never reaches the phase's value: " + p);
      previous = p;
    }
    assertEquals(59, previous, "after twenty typical durations it waits one short of the end");
  }

  @Test
  void isPacedByTheTypicalDuration() {
    // one typical duration closes about 63 % of the gap, whatever that duration is
    assertEquals(52, ProgressPacer.at(40, 60, Duration.ofSeconds(30), Duration.ofSeconds(30)));
    assertEquals(52, ProgressPacer.at(40, 60, Duration.ofMinutes(5), Duration.ofMinutes(5)));
    assertTrue(ProgressPacer.at(40, 60, Duration.ofSeconds(30), Duration.ofMinutes(5)) < 43, "a slow phase moves slowly");
    assertEquals(40, ProgressPacer.at(40, 60, Duration.ZERO, Duration.ofSeconds(30)));
    assertEquals(74, ProgressPacer.at(74, 75, Duration.ofHours(1), Duration.ofSeconds(1)), "no room: stays put");
  }

  @Test
  void reportsWhileRunningAndStopsWhenCancelled() throws Exception {
    List<Integer> reported = new CopyOnWriteArrayList<>();
    ScheduledFuture<?> pacing = ProgressPacer.start(10, 90, Duration.ofSeconds(2), reported::add);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (reported.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    pacing.cancel(false);
    int seen = reported.size();
    assertTrue(seen >= 2, "ticks while running: " + reported);
    assertTrue(reported.get(1) > reported.get(0) && reported.get(1) < 90, reported.toString());
    Thread.sleep(ProgressPacer.TICK.toMillis() * 2);
    assertEquals(seen, reported.size(), "no ticks after cancel");
  }
}
