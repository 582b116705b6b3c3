package org.wikifarm.provisioner.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a process has used so far (user + system, from {@code /proc/<pid>/stat}), so a section can say what
 * one request cost each process: the reason a throughput goal is out of reach on a machine of this many cores.
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
}
