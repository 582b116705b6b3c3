package org.wikifarm.provisioner.sse;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.wikifarm.provisioner.store.EventJournal;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * A journal in memory with Redis-stream-shaped ids ({@code <ms>-<seq>}, strictly increasing), standing in for
 * {@link EventJournal} in the SSE tests. Thread-safe.
 */
final class InMemoryJournal implements JournalWriter, JournalReader {
  private static final long BASE_MS = 1_700_000_000_000L;
  private final Map<String, List<TaskEvent.Journaled>> streams = new HashMap<>();
  private long seq;

  @Override
  public synchronized Future<String> append(String taskId, TaskEvent event) {
    String id = BASE_MS + "-" + seq++;
    streams.computeIfAbsent(taskId, t -> new ArrayList<>()).add(new TaskEvent.Journaled(id, event));
    return Future.succeededFuture(id);
  }

  @Override
  public synchronized Future<List<TaskEvent.Journaled>> after(String taskId, String lastId) {
    List<TaskEvent.Journaled> out = new ArrayList<>();
    for (TaskEvent.Journaled entry : streams.getOrDefault(taskId, List.of())) {
      if (lastId == null || EventJournal.compare(entry.id(), lastId) > 0) {
        out.add(entry);
      }
    }
    return Future.succeededFuture(out);
  }

  /** Journals the event and publishes it with its id on the task's address, as the bridge does; returns the id. */
  String journalAndPublish(Vertx vertx, String taskId, TaskEvent event) {
    String id = append(taskId, event).result();
    vertx.eventBus().publish(EventBusAddresses.task(taskId), new TaskEvent.Journaled(id, event).toJson());
    return id;
  }

  /** Everything journaled for a task, oldest first. */
  synchronized List<TaskEvent.Journaled> entries(String taskId) {
    return List.copyOf(streams.getOrDefault(taskId, List.of()));
  }
}
