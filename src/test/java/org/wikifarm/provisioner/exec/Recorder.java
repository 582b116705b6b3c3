package org.wikifarm.provisioner.exec;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Collects output lines with the moment each arrived (System.nanoTime), for streaming assertions. */
final class Recorder implements Consumer<String> {
  private final List<String> lines = new ArrayList<>();
  private final List<Long> times = new ArrayList<>();

  @Override
  public synchronized void accept(String line) {
    lines.add(line);
    times.add(System.nanoTime());
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  synchronized long firstArrival() {
    return times.get(0);
  }
}
