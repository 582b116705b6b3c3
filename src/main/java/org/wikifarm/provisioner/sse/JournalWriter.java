package org.wikifarm.provisioner.sse;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * Where the {@link SseBridgeVerticle} journals a task's events, in emission order; the future carries the entry's
 * journal id (the SSE id). The service passes {@link #pipelined} over {@code store.JournalBatch::appendAll}.
 */
@FunctionalInterface
public interface JournalWriter {
  Future<String> append(String taskId, TaskEvent event);

  /**
   * Several events of one task in order; the ids in the same order, null for an event that could not be
   * journaled. This default writes one after the other; {@link #pipelined} writes them in one round trip.
   */
  default Future<List<String>> appendAll(String taskId, List<TaskEvent> events) {
    List<String> ids = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (TaskEvent event : events) {
      chain = chain.compose(v -> append(taskId, event).otherwise((String) null).map(id -> {
        ids.add(id);
        return null;
      }));
    }
    return chain.map(v -> ids);
  }

  /** The events of one task written together; a failure fails them all. */
  @FunctionalInterface
  interface Batch {
    Future<List<String>> appendAll(String taskId, List<TaskEvent> events);
  }

  /** A writer whose every write, of one event or of several, is one batch. */
  static JournalWriter pipelined(Batch batch) {
    return new JournalWriter() {
      @Override
      public Future<String> append(String taskId, TaskEvent event) {
        return batch.appendAll(taskId, List.of(event)).map(ids -> ids.get(0));
      }

      @Override
      public Future<List<String>> appendAll(String taskId, List<TaskEvent> events) {
        return batch.appendAll(taskId, events);
      }
    };
  }
}
