package org.wikifarm.provisioner.sse;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.wikifarm.provisioner.task.TaskEvent;

/** The wire form of SSE frames (SPEC §5): encoded once per event, then shared by every client of the task. */
final class SseFrames {
  private SseFrames() {
  }

  /** {@code id:} (when journaled), {@code event:} and {@code data:} lines, then the blank line. */
  static Buffer encode(String id, TaskEvent event) {
    StringBuilder frame = new StringBuilder(160);
    if (id != null) {
      frame.append("id: ").append(id).append('\n');
    }
    frame.append("event: ").append(event.type().wire()).append('\n')
        .append("data: ").append(event.toJson().encode()).append("\n\n");
    return Buffer.buffer(frame.toString());
  }

  /** Several frames as one buffer, for one write; a single frame is returned as it is (no copy). */
  static Buffer concat(List<TaskEventHub.Entry> entries) {
    if (entries.size() == 1) {
      return entries.get(0).frame();
    }
    int length = 0;
    for (TaskEventHub.Entry entry : entries) {
      length += entry.frame().length();
    }
    Buffer all = Buffer.buffer(length); // sized once: a replay's history would otherwise be copied as it grows
    for (TaskEventHub.Entry entry : entries) {
      all.appendBuffer(entry.frame());
    }
    return all;
  }
}
