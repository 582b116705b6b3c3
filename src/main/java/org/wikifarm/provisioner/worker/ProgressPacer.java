package org.wikifarm.provisioner.worker;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Moves a running phase's progress smoothly from where the previous phase ended towards the phase's own value,
 * paced by how long the phase usually takes ({@code expected}): the gap closes as {@code 1 - e^(-t/expected)},
 * so about 63 % of it after one typical duration, and the phase's value is never reached before the phase ends
 * (the bar stops one short of it). Values only ever rise.
 */
final class ProgressPacer {
  /** One timer thread for every task on this node; ticks are cheap. */
  private static final ScheduledExecutorService TICKS = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "wikifarm-progress-pacer");
    t.setDaemon(true);
    return t;
  });
  static final Duration TICK = Duration.ofSeconds(1);

  private ProgressPacer() {}

  /**
   * The progress to show {@code elapsed} into a phase running from {@code from} to {@code to} that usually
   * takes {@code expected}: strictly below {@code to} (when there is room), never below {@code from}.
   */
  static int at(int from, int to, Duration elapsed, Duration expected) {
    if (to - from <= 1) {
      return from;
    }
    double fraction = 1 - Math.exp(-(double) elapsed.toMillis() / Math.max(1, expected.toMillis()));
    return Math.min(to - 1, from + (int) Math.floor((to - from) * fraction));
  }

  /** Reports {@link #at} every {@link #TICK} until the returned handle is cancelled. */
  static ScheduledFuture<?> start(int from, int to, Duration expected, IntConsumer report) {
    long started = System.nanoTime();
    return TICKS.scheduleAtFixedRate(() -> {
      try {
        report.accept(at(from, to, Duration.ofNanos(System.nanoTime() - started), expected));
      } catch (RuntimeException e) {
        // a failed report must not kill the shared timer thread; the next tick tries again
      }
    }, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
  }
}
