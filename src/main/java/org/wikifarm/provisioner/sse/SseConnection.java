package org.wikifarm.provisioner.sse;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.wikifarm.provisioner.store.EventJournal;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskStatus;

/**
 * One SSE client of one task (SPEC §5). Subscribes to live events first, then replays the journal after
 * {@code Last-Event-ID} (or synthesizes one event from the task row when the journal has nothing), then streams
 * live events it has not sent yet, and closes after the terminal {@code status} event. All methods run on the
 * client's event loop.
 */
public final class SseConnection {
  private final Vertx vertx;
  private final HttpServerResponse response;
  private final String taskId;
  private final Duration heartbeatEvery;
  private final TaskLookup tasks;
  private final JournalReader journal;
  private final TaskEventHub hub;
  private String lastSentId;
  private boolean replaying = true;
  private final List<TaskEvent.Journaled> buffered = new ArrayList<>();
  private TaskEvent.Journaled latestWhileFull;
  private boolean closed;
  private long heartbeat = -1;
  private TaskEventHub.Subscription subscription;

  public SseConnection(Vertx vertx, HttpServerResponse response, String taskId, String lastEventId,
      Duration heartbeatEvery, TaskLookup tasks, JournalReader journal, TaskEventHub hub) {
    this.vertx = vertx;
    this.response = response;
    this.taskId = taskId;
    this.lastSentId = lastEventId;
    this.heartbeatEvery = heartbeatEvery;
    this.tasks = tasks;
    this.journal = journal;
    this.hub = hub;
  }

  /**
   * Starts streaming. The future is {@code false} when the task does not exist, and failed when it cannot be
   * looked up; in both cases nothing has been written yet, so the caller can still answer with an error.
   */
  public Future<Boolean> start() {
    Context context = vertx.getOrCreateContext();
    subscription = hub.subscribe(taskId, context, this::onLive);
    return subscription.ready()
        .compose(v -> tasks.find(taskId))
        .onFailure(e -> cleanUp())
        .map(task -> {
          if (task == null) {
            cleanUp();
            return false;
          }
          open();
          replay(task);
          return true;
        });
  }

  private void open() {
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .putHeader("Connection", "keep-alive");
    response.write("retry: 3000\n\n");
    response.closeHandler(v -> cleanUp());
    response.exceptionHandler(e -> cleanUp());
    heartbeat = vertx.setPeriodic(heartbeatEvery.toMillis(), id -> {
      if (!closed && !response.writeQueueFull()) {
        response.write(": keep-alive\n\n");
      }
    });
  }

  private void replay(Task task) {
    journal.after(taskId, lastSentId).onComplete(ar -> {
      if (closed) {
        return;
      }
      List<TaskEvent.Journaled> entries = ar.succeeded() ? ar.result() : List.of();
      for (TaskEvent.Journaled entry : entries) {
        send(entry.id(), entry.event());
        if (closed) {
          return;
        }
      }
      if (entries.isEmpty()) {
        // nothing to replay: the journal expired, Redis is down, or nothing was journaled yet
        synthesize(task);
        if (closed) {
          return;
        }
      }
      replaying = false;
      for (TaskEvent.Journaled live : buffered) {
        onLive(live);
      }
      buffered.clear();
    });
  }

  /** One event standing for the task's state as MariaDB records it. */
  private void synthesize(Task task) {
    if (task.status().terminal()) {
      boolean succeeded = task.status() == TaskStatus.SUCCEEDED;
      send(null, TaskEvent.finished(succeeded, succeeded ? 100 : task.progress(), task.wikiId(), task.message()));
    } else if (lastSentId == null) {
      send(null, TaskEvent.progress(task.status(), task.progress(), null, task.message()));
    }
  }

  private void onLive(TaskEvent.Journaled message) {
    if (closed) {
      return;
    }
    if (replaying) {
      buffered.add(message);
      return;
    }
    String id = message.id();
    if (id != null && lastSentId != null && EventJournal.compare(id, lastSentId) <= 0) {
      return; // already replayed
    }
    if (response.writeQueueFull() && !message.event().terminal()) {
      // a slow client gets the latest state when it drains, never an unbounded backlog
      latestWhileFull = message;
      response.drainHandler(v -> {
        TaskEvent.Journaled latest = latestWhileFull;
        latestWhileFull = null;
        if (latest != null) {
          onLive(latest);
        }
      });
      return;
    }
    send(id, message.event());
  }

  private void send(String id, TaskEvent event) {
    StringBuilder frame = new StringBuilder();
    if (id != null) {
      frame.append("id: ").append(id).append('\n');
      lastSentId = id;
    }
    frame.append("event: ").append(event.type().wire()).append('\n')
        .append("data: ").append(event.toJson().encode()).append("\n\n");
    response.write(frame.toString());
    if (event.terminal()) {
      cleanUp();
      response.end();
    }
  }

  private void cleanUp() {
    if (closed) {
      return;
    }
    closed = true;
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
    }
    if (subscription != null) {
      subscription.cancel();
    }
  }
}
