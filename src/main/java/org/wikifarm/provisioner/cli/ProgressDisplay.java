package org.wikifarm.provisioner.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * Shows a task's progress. On a terminal: one line redrawn in place — a bar, the percentage, the phase, the last
 * message (a command's last output line) and the elapsed time, ticking every second. Otherwise (a pipe, a log
 * file): one plain line whenever the phase or the message changes, and one at the end.
 */
final class ProgressDisplay implements AutoCloseable {
  private static final int BAR_WIDTH = 24;
  private static final String CLEAR_LINE = "\r\033[2K";

  private final PrintStream out;
  private final boolean terminal;
  private final int columns;
  private final long started = System.nanoTime();
  private final CountDownLatch ended = new CountDownLatch(1);
  private final ScheduledExecutorService ticker;
  private int percent;
  private String phase;
  private String message;
  private String lastPlain;

  ProgressDisplay(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
    this.columns = columns();
    this.ticker = terminal ? Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "progress-ticker");
      t.setDaemon(true);
      return t;
    }) : null;
    if (terminal) {
      ticker.scheduleAtFixedRate(this::redraw, 1, 1, TimeUnit.SECONDS);
    }
  }

  /** One event of the task (called on an event-loop thread). */
  synchronized void event(TaskEvent event) {
    if (ended.getCount() == 0) {
      return;
    }
    percent = Math.max(percent, event.progress());
    if (event.phase() != null) {
      phase = event.phase();
    }
    if (event.message() != null) {
      message = event.message();
    }
    if (event.terminal()) {
      String end = event.status().wire() + ": " + (event.message() == null ? "" : event.message());
      if (terminal) {
        redraw();
        out.println();
      } else {
        out.println(line(percent, null, end));
      }
      ended.countDown();
      return;
    }
    if (terminal) {
      redraw();
    } else {
      String plain = line(percent, phase, message);
      String key = phase + "\u0000" + message; // a new line only for a new phase or message, not a paced tick
      if (!key.equals(lastPlain)) {
        lastPlain = key;
        out.println(plain);
      }
    }
  }

  /** A line of its own, above the bar on a terminal. */
  synchronized void note(String text) {
    if (terminal) {
      out.print(CLEAR_LINE);
    }
    out.println(text);
    if (terminal && ended.getCount() > 0) {
      redraw();
    }
  }

  /** Waits for the terminal event to be shown (it travels through the bridge after the run returns). */
  boolean awaitEnd(Duration timeout) throws InterruptedException {
    return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  private synchronized void redraw() {
    if (!terminal) {
      return;
    }
    int filled = percent * BAR_WIDTH / 100;
    String bar = "[" + "█".repeat(filled) + "░".repeat(BAR_WIDTH - filled) + "] ";
    String text = line(percent, phase, message);
    String full = bar + text;
    out.print(CLEAR_LINE + (full.length() >= columns ? full.substring(0, Math.max(0, columns - 2)) + "…" : full));
    out.flush();
  }

  private String line(int value, String phaseName, String text) {
    return String.format("%3d%%  %s%s  %s", value, phaseName == null ? "" : phaseName + "  ",
        clock(elapsed()), text == null ? "" : Table.shorten(text, 200));
  }

  private static String clock(Duration d) {
    long s = d.toSeconds();
    return String.format("%d:%02d", s / 60, s % 60);
  }

  /** The terminal's width when the shell exports it, else a common one. */
  private static int columns() {
    try {
      return Math.max(40, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100").trim()));
    } catch (NumberFormatException e) {
      return 100;
    }
  }

  @Override
  public synchronized void close() {
    if (ticker != null) {
      ticker.shutdownNow();
    }
  }
}
