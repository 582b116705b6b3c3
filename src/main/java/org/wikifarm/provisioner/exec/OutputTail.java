package org.wikifarm.provisioner.exec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * Forwards output lines to the caller's sink and remembers the last few non-blank ones for the
 * {@link CommandResult}. Synchronized because stdout and stderr may be read by different threads; the sink
 * therefore sees one line at a time.
 */
final class OutputTail implements Consumer<String> {
  private static final int KEEP = 20;
  private final Consumer<String> sink;
  private final Deque<String> last = new ArrayDeque<>();

  OutputTail(Consumer<String> sink) {
    this.sink = sink;
  }

  @Override
  public synchronized void accept(String line) {
    if (!line.isBlank()) {
      if (last.size() == KEEP) {
        last.removeFirst();
      }
      last.addLast(line);
    }
    sink.accept(line);
  }

  synchronized List<String> lastLines() {
    return new ArrayList<>(last);
  }
}
