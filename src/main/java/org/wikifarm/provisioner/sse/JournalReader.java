package org.wikifarm.provisioner.sse;

import io.vertx.core.Future;
import java.util.List;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * What an {@link SseConnection} replays: a task's journaled events after {@code lastId} (exclusive), or all of
 * them when it is null, oldest first. The service passes {@code store.EventJournal::after}.
 */
@FunctionalInterface
public interface JournalReader {
  Future<List<TaskEvent.Journaled>> after(String taskId, String lastId);
}
