package org.wikifarm.provisioner.sse;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.wikifarm.provisioner.store.EventJournal;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.support.TaskMetrics;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskStatus;

/**
 * One SSE client of one task (SPEC §5). Subscribes to live events first, then replays the journal after
 * {@code Last-Event-ID} (or synthesizes one event from the task row when the journal has nothing), then streams
 * live events it has not sent yet, and closes after the terminal {@code status} event — which it synthesizes
 * from the row whenever the journal lacks it, so a stream always ends. All methods run on the client's event
 * loop.
 */
public final class SseConnection {
  private static final Logger LOG = Logger.getLogger(SseConnection.class.getName());
  /** How long after a task's end its journaled terminal event is waited for (DATETIME has whole seconds). */
  static final Duration TERMINAL_GRACE = Duration.ofSeconds(3);

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final String taskId;
  private final Duration heartbeatEvery;
  private final TaskLookup tasks;
  private final JournalReader journal;
  private final TaskEventHub hub;
  private final TaskMetrics metrics;
  private String lastSentId;
  private boolean replaying = true;
  private final List<TaskEvent.Journaled> buffered = new ArrayList<>();
  private TaskEvent.Journaled latestWhileFull;
  private boolean closed;
  /** Counted in {@code wikifarm_sse_connections} (from the 200 until the stream ends, however it ends). */
  private boolean counted;
  private long heartbeat = -1;
  private TaskEventHub.Subscription subscription;

  public SseConnection(Vertx vertx, HttpServerResponse response, String taskId, String lastEventId,
      Duration heartbeatEvery, TaskLookup tasks, JournalReader journal, TaskEventHub hub, TaskMetrics metrics) {
    this.vertx = vertx;
    this.response = response;
    this.taskId = taskId;
    this.lastSentId = lastEventId;
    this.heartbeatEvery = heartbeatEvery;
    this.tasks = tasks;
    this.journal = journal;
    this.hub = hub;
    this.metrics = metrics;
  }

  /**
   * Starts streaming. The future is {@code false} when the task does not exist, and failed when that cannot
   * be known (MariaDB is down and the journal has nothing of the task); in both cases nothing has been written
   * yet, so the caller can still answer with an error. While MariaDB is down, a task whose journal exists is
   * streamed from the journal: a browser's reconnect must never get a non-200 for a task that exists.
   */
  public Future<Boolean> start() {
    Context context = vertx.getOrCreateContext();
    subscription = hub.subscribe(taskId, context, this::onLive);
    return subscription.ready()
        .compose(v -> tasks.find(taskId).map(Lookup::found).otherwise(Lookup::failed))
        .compose(lookup -> journal.after(taskId, null).otherwise(List.of()).map(entries -> {
          if (lookup.task == null && (lookup.failure == null || entries.isEmpty())) {
            cleanUp();
            if (lookup.failure != null) {
              throw new IllegalStateException("task " + taskId + " cannot be looked up", lookup.failure);
            }
            return false;
          }
          open();
          if (!closed) {
            replay(lookup.task, entries);
          }
          return true;
        }))
        .onFailure(e -> cleanUp());
  }

  /** The task row, or why it could not be read. */
  private record Lookup(Task task, Throwable failure) {
    static Lookup found(Task task) {
      return new Lookup(task, null);
    }

    static Lookup failed(Throwable failure) {
      return new Lookup(null, failure);
    }
  }

  private void open() {
    if (response.closed()) {
      cleanUp(); // the client left during the lookup: no close event will come for it
      return;
    }
    response.setChunked(true)
        .putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-cache")
        .putHeader("X-Accel-Buffering", "no")
        .putHeader("Connection", "keep-alive");
    response.write("retry: 3000\n\n");
    response.closeHandler(v -> cleanUp());
    response.exceptionHandler(e -> cleanUp());
    counted = true;
    metrics.sseOpened();
    heartbeat = vertx.setPeriodic(heartbeatEvery.toMillis(), id -> {
      if (!closed && !response.writeQueueFull()) {
        response.write(": keep-alive\n\n");
      }
      if (!closed) {
        checkEnded();
      }
    });
  }

  /**
   * Sends the journal after the client's {@code Last-Event-ID} — from the start when the journal never issued
   * that id (ahead of it, from another task, garbage) — then what the row knows that the journal lacks, then
   * the live events that arrived meanwhile.
   */
  private void replay(Task task, List<TaskEvent.Journaled> entries) {
    if (lastSentId != null && entries.stream().noneMatch(e -> lastSentId.equals(e.id()))) {
      lastSentId = null;
    }
    boolean sentAny = false;
    for (TaskEvent.Journaled entry : entries) {
      if (lastSentId != null && EventJournal.compare(entry.id(), lastSentId) <= 0) {
        continue;
      }
      send(entry.id(), entry.event());
      sentAny = true;
      if (closed) {
        return;
      }
    }
    if (task != null && ((task.status().terminal() && endedAWhileAgo(task)) || (entries.isEmpty() && !sentAny))) {
      // the journal expired, Redis is down, nothing was journaled yet, or the terminal entry never made it
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
  }

  /**
   * Every heartbeat: if the row says the task ended but this stream has not (the terminal journal write was
   * lost — a crash between the two, Redis refusing writes), send what the journal has and then the end.
   */
  private void checkEnded() {
    tasks.find(taskId).onSuccess(task -> {
      if (closed || replaying || task == null || !task.status().terminal() || !endedAWhileAgo(task)) {
        return;
      }
      journal.after(taskId, lastSentId).otherwise(List.of()).onSuccess(entries -> {
        for (TaskEvent.Journaled entry : entries) {
          // live delivery may have sent some of these while the journal was being read
          if (!closed && (lastSentId == null || EventJournal.compare(entry.id(), lastSentId) > 0)) {
            send(entry.id(), entry.event());
          }
        }
        if (!closed) {
          synthesize(task);
        }
      });
    });
  }

  /**
   * Whether the task's end is old enough that its journaled terminal event would have arrived: the worker
   * writes the row first and the journal right after, so a task that ended a moment ago gets that moment
   * before the end is synthesized (which carries no journal id).
   */
  private static boolean endedAWhileAgo(Task task) {
    return task.finishedAt() == null || task.finishedAt().plus(TERMINAL_GRACE).isBefore(Instant.now());
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

  /** A live event; a failure to deliver one ends this client's stream, never the event loop's work. */
  private void onLive(TaskEvent.Journaled message) {
    try {
      deliver(message);
    } catch (RuntimeException e) {
      LOG.warning("SSE client of task " + taskId + " dropped: " + e);
      cleanUp();
      response.reset();
    }
  }

  private void deliver(TaskEvent.Journaled message) {
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
    if (counted) {
      metrics.sseClosed();
    }
    if (heartbeat >= 0) {
      vertx.cancelTimer(heartbeat);
    }
    if (subscription != null) {
      subscription.cancel();
    }
  }
}
