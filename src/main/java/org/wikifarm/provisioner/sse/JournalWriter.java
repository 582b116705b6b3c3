package org.wikifarm.provisioner.sse;

import io.vertx.core.Future;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * Where the {@link SseBridgeVerticle} journals a task's events, in emission order; the future carries the entry's
 * journal id (the SSE id). The service passes {@code store.EventJournal::append}.
 */
@FunctionalInterface
public interface JournalWriter {
  Future<String> append(String taskId, TaskEvent event);
}
