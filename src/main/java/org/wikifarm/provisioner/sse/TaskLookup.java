package org.wikifarm.provisioner.sse;

import io.vertx.core.Future;
import org.wikifarm.provisioner.store.Task;

/**
 * How an {@link SseConnection} learns whether a task exists and its recorded state: the task row, or null when
 * there is none. The service passes {@code store.TaskStore::find}.
 */
@FunctionalInterface
public interface TaskLookup {
  Future<Task> find(String taskId);
}
