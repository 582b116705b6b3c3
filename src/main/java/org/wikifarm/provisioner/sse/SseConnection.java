package org.wikifarm.provisioner.sse;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
 * from the row whenever the journal lacks it, so a stream always ends. Runs on the client's event loop.
 */
public final class SseConnection {
  /** One line per minute at most however many clients fail at once, with how many did. */
  private static final LogThrottle DROPPED = new LogThrottle(Logger.getLogger(SseConnection.class.getName()),
      Duration.ofMinutes(1));
  /** How long after a task's end its journaled terminal event is waited for (DATETIME has whole seconds). */
  static final Duration TERMINAL_GRACE = Duration.ofSeconds(3);
  /** A tick's events up to this size go out as one write; a larger batch is written as the queue allows. */
  private static final int ONE_WRITE_MAX = 16 * 1024;

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final String taskId;
  private final Duration heartbeatEvery;
  private final TaskLookup tasks;
  private final JournalReader journal;
  private final TaskEventHub hub;
  private final TaskMetrics metrics;
  private String lastSentId;
  /**
   * The view's place after the last event written, or -1 (none yet, or not from the view): a batch starting
   * there is all new, so its ids need no comparing with {@link #lastSentId}.
   */
  private long nextSeq = -1;
  private boolean replaying = true;
  /** Live events that arrived during the replay (rare: only then is the list made). */
  private List<TaskEventHub.Entry> buffered;
  private TaskEventHub.Entry latestWhileFull;
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
   * streamed from the journal: a browser's reconnect must never get a non-200 for a task that exists. The task
   * row is read only when the journal (the hub's view of it) cannot tell: it has nothing of the task, or not its
   * end (which the row may know, see {@link #replay}).
   */
  public Future<Boolean> start() {
    Context context = vertx.getOrCreateContext();
    subscription = hub.subscribe(taskId, context, this::onLive);
    return subscription.history()
        .compose(entries -> {
          Future<Lookup> lookup = replaysTheEnd(entries) ? Future.succeededFuture(Lookup.NOT_NEEDED)
              : tasks.find(taskId).map(Lookup::found).otherwise(Lookup::failed);
          return lookup.map(found -> {
            if (found.task == null && !found.notNeeded && (found.failure == null || entries.isEmpty())) {
              cleanUp();
              if (found.failure != null) {
                throw new IllegalStateException("task " + taskId + " cannot be looked up", found.failure);
              }
              return false;
            }
            open();
            if (!closed) {
              replay(found.task, entries);
            }
            return true;
          });
        })
        .onFailure(e -> cleanUp());
  }

  /** Whether the replay sends the journaled end, so the row adds nothing (a client that has it gets the row's). */
  private boolean replaysTheEnd(List<TaskEventHub.Entry> entries) {
    if (entries.isEmpty() || !entries.get(entries.size() - 1).event().terminal()) {
      return false;
    }
    String endId = entries.get(entries.size() - 1).journaled().id();
    return lastSentId == null || endId == null || !lastSentId.equals(endId);
  }

  /** The task row, or why it could not be read, or that the journal made reading it unnecessary. */
  private record Lookup(Task task, Throwable failure, boolean notNeeded) {
    static final Lookup NOT_NEEDED = new Lookup(null, null, true);

    static Lookup found(Task task) {
      return new Lookup(task, null, false);
    }

    static Lookup failed(Throwable failure) {
      return new Lookup(null, failure, false);
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
  private void replay(Task task, List<TaskEventHub.Entry> entries) {
    if (lastSentId != null && entries.stream().noneMatch(e -> lastSentId.equals(e.journaled().id()))) {
      lastSentId = null;
    }
    List<TaskEventHub.Entry> tail = entries.stream().filter(this::notSentYet).toList();
    if (!tail.isEmpty()) {
      write(tail, null);
      if (closed) {
        return;
      }
    }
    if (task != null && ((task.status().terminal() && endedAWhileAgo(task)) || entries.isEmpty())) {
      // the journal expired, Redis is down, nothing was journaled yet, or the terminal entry never made it
      synthesize(task);
      if (closed) {
        return;
      }
    }
    replaying = false;
    if (buffered != null) {
      List<TaskEventHub.Entry> live = buffered;
      buffered = null;
      onLive(new TaskEventHub.Batch(live, null));
    }
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
        // live delivery may have sent some of these while the journal was being read
        List<TaskEventHub.Entry> unsent = entries.stream()
            .map(e -> new TaskEventHub.Entry(-1, e, SseFrames.encode(e.id(), e.event())))
            .filter(this::notSentYet).toList();
        if (!closed && !unsent.isEmpty()) {
          write(unsent, null);
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
    TaskEvent event;
    if (task.status().terminal()) {
      boolean succeeded = task.status() == TaskStatus.SUCCEEDED;
      event = TaskEvent.finished(succeeded, succeeded ? 100 : task.progress(), task.wikiId(), task.message());
    } else if (lastSentId == null) {
      event = TaskEvent.progress(task.status(), task.progress(), null, task.message());
    } else {
      return;
    }
    TaskEvent.Journaled unjournaled = new TaskEvent.Journaled(null, event);
    write(List.of(new TaskEventHub.Entry(-1, unjournaled, SseFrames.encode(null, event))), null);
  }

  /** A tick's live events; a failure to deliver them ends this client's stream, never the event loop's work. */
  private void onLive(TaskEventHub.Batch batch) {
    try {
      deliver(batch);
    } catch (RuntimeException e) {
      DROPPED.warning("SSE client of task " + taskId + " dropped: " + e);
      cleanUp();
      response.reset();
    }
  }

  private void deliver(TaskEventHub.Batch batch) {
    if (closed) {
      return;
    }
    if (replaying) {
      if (buffered == null) {
        buffered = new ArrayList<>();
      }
      buffered.addAll(batch.entries());
      return;
    }
    List<TaskEventHub.Entry> fresh = batch.entries();
    if (fresh.get(0).seq() != nextSeq && !allNotSentYet(fresh)) { // rare: the usual batch is all new, sent as it is
      fresh = fresh.stream().filter(this::notSentYet).toList();
      if (fresh.isEmpty()) {
        return; // already replayed
      }
    }
    Buffer frames = fresh == batch.entries() ? batch.frames() : null;
    if (frames != null && frames.length() <= ONE_WRITE_MAX && !response.writeQueueFull()) {
      write(fresh, frames); // the usual case: the tick's events in one write
      return;
    }
    // a large batch, or a client that is behind: one by one while the queue has room, then only the latest
    for (int i = 0; i < fresh.size() && !closed; i++) {
      TaskEventHub.Entry entry = fresh.get(i);
      if (!response.writeQueueFull()) {
        write(List.of(entry), entry.frame());
        continue;
      }
      List<TaskEventHub.Entry> rest = fresh.subList(i, fresh.size());
      TaskEventHub.Entry end = rest.stream().filter(e -> e.event().terminal()).findFirst().orElse(null);
      if (end != null) {
        write(List.of(end), end.frame()); // the end is never held back
        return;
      }
      // a slow client gets the latest state when it drains, never an unbounded backlog
      latestWhileFull = rest.get(rest.size() - 1);
      response.drainHandler(v -> {
        TaskEventHub.Entry latest = latestWhileFull;
        latestWhileFull = null;
        if (latest != null) {
          onLive(new TaskEventHub.Batch(List.of(latest), latest.frame()));
        }
      });
      return;
    }
  }

  /** {@link #notSentYet} for every entry; a loop, not a stream: it runs per client per batch. */
  private boolean allNotSentYet(List<TaskEventHub.Entry> entries) {
    for (int i = 0; i < entries.size(); i++) {
      if (!notSentYet(entries.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether an event is newer than what this client has (events without a journal id always are). */
  private boolean notSentYet(TaskEventHub.Entry entry) {
    String id = entry.journaled().id();
    return id == null || lastSentId == null || EventJournal.compare(id, lastSentId) > 0;
  }

  /**
   * Writes events as one buffer ({@code frames}: theirs, already joined, or null to join them here), up to and
   * including a terminal one, after which the stream ends.
   */
  private void write(List<TaskEventHub.Entry> entries, Buffer frames) {
    int end = 0;
    while (end < entries.size() && !entries.get(end).event().terminal()) {
      end++;
    }
    boolean terminal = end < entries.size();
    List<TaskEventHub.Entry> sent = terminal ? entries.subList(0, end + 1) : entries;
    Buffer buffer = frames != null && sent.size() == entries.size() ? frames : SseFrames.concat(sent);
    for (TaskEventHub.Entry entry : sent) {
      if (entry.journaled().id() != null) {
        lastSentId = entry.journaled().id();
      }
    }
    long lastSeq = sent.get(sent.size() - 1).seq();
    nextSeq = lastSeq >= 0 ? lastSeq + 1 : -1;
    if (terminal) {
      cleanUp();
      // the last events and the end of the stream in one write: a task's end reaches every client at once, so
      // a second write per client (a syscall each) is what the last clients of a large fan-out would wait for
      response.end(buffer);
    } else {
      response.write(buffer);
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
