package org.wikifarm.provisioner.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time a process has used so far (user + system, from {@code /proc/<pid>/stat}), so a section can say what
 * one request cost each process: the reason a throughput goal is out of reach on a machine of this many cores.
 * And the whole machine's, so the runner can start each section on an idle machine.
 */
final class ProcessCpu {
  /** USER_HZ: the unit of utime/stime in /proc/<pid>/stat on every Linux this runs on. */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcessCpu() {}

  /** CPU milliseconds used by {@code pid} so far. */
  static double millis(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // fields after the command name, which is in parentheses and may hold spaces
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
    return ticks * 1000.0 / TICKS_PER_SECOND;
  }

  /**
   * Waits until the whole machine is idle (under {@code maxBusy} of all its cores over one second) or
   * {@code max} has passed; returns the share of the cores that was busy in the last second it measured.
   */
  static double awaitIdleMachine(double maxBusy, Duration max) throws Exception {
    return awaitBelow(ProcessCpu::machineTicks, maxBusy, Duration.ofSeconds(1), max);
  }

  /**
   * Waits until {@code pid} uses under {@code maxCores} of one core over {@code window}, or {@code max} has
   * passed; returns the share of a core it used in the last window measured.
   */
  static double awaitIdleProcess(long pid, double maxCores, Duration window, Duration max) throws Exception {
    return awaitBelow(() -> new long[] {Math.round(millis(pid)), System.nanoTime() / 1_000_000}, maxCores, window,
        max);
  }

  /** Busy and elapsed time so far, in one unit, as the two waits measure them. */
  private interface Usage {
    long[] read() throws Exception;
  }

  /** The one wait behind both: windows of {@code window} until busy / elapsed in one is under {@code limit}. */
  private static double awaitBelow(Usage usage, double limit, Duration window, Duration max) throws Exception {
    long deadline = System.nanoTime() + max.toNanos();
    long[] before = usage.read();
    double busy;
    do {
      Thread.sleep(window.toMillis());
      long[] now = usage.read();
      busy = (double) (now[0] - before[0]) / Math.max(1, now[1] - before[1]);
      before = now;
    } while (busy >= limit && System.nanoTime() < deadline);
    return busy;
  }

  /** CPU milliseconds all cores have been busy so far (any process, the kernel's work included). */
  static double machineBusyMillis() throws Exception {
    return machineTicks()[0] * 1000.0 / TICKS_PER_SECOND;
  }

  /** Busy and total ticks of all cores so far, from the first line of {@code /proc/stat}. */
  private static long[] machineTicks() throws Exception {
    String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
    long total = 0;
    for (int i = 1; i < fields.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
      total += Long.parseLong(fields[i]);
    }
    long idle = Long.parseLong(fields[4]) + Long.parseLong(fields[5]); // idle, iowait
    return new long[] {total - idle, total};
  }
}
