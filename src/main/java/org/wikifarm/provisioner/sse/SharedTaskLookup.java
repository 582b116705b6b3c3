package org.wikifarm.provisioner.sse;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.HashMap;
import java.util.Map;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.support.CallerContext;

/**
 * Task-row reads shared by the SSE clients of one task: thousands of clients connecting at once (or their
 * heartbeats) cost one query per task at a time instead of one each, so a burst never overruns the database
 * pool's wait queue. Every caller gets a read that started after it asked (at most one more waits behind the one
 * in flight), so no one is answered with a row older than its request; the answer arrives on the caller's
 * context.
 */
public final class SharedTaskLookup implements TaskLookup {
  private final TaskLookup rows;
  private final Map<String, Reads> reads = new HashMap<>();

  public SharedTaskLookup(TaskLookup rows) {
    this.rows = rows;
  }

  /** The read in flight of one task and the one queued behind it for those who came after it started. */
  private static final class Reads {
    Promise<Task> inFlight;
    Promise<Task> next;
  }

  @Override
  public Future<Task> find(String taskId) {
    Future<Task> shared;
    Promise<Task> start = null;
    synchronized (reads) {
      Reads task = reads.computeIfAbsent(taskId, id -> new Reads());
      if (task.inFlight == null) {
        start = Promise.promise();
        task.inFlight = start;
        shared = start.future();
      } else {
        if (task.next == null) {
          task.next = Promise.promise();
        }
        shared = task.next.future();
      }
    }
    if (start != null) {
      run(taskId, start);
    }
    return CallerContext.relay(shared);
  }

  /** Reads the row into {@code into}, then starts the queued read, if any. */
  private void run(String taskId, Promise<Task> into) {
    rows.find(taskId).onComplete(result -> {
      Promise<Task> following;
      synchronized (reads) {
        Reads task = reads.get(taskId);
        following = task.next;
        task.next = null;
        task.inFlight = following;
        if (following == null) {
          reads.remove(taskId);
        }
      }
      into.handle(result);
      if (following != null) {
        run(taskId, following);
      }
    });
  }
}
