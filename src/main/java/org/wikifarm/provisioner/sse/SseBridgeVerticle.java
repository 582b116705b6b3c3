package org.wikifarm.provisioner.sse;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * Between this node's workers and every node's SSE clients: takes raw task events (local address), coalesces
 * bursts to at most one progress event per task per {@code sse.throttle} (phase changes and the terminal event
 * are never dropped, progress never goes backwards), journals each event in Redis in order (what piles up during
 * a write goes in the next one, as one round trip), and publishes it with its journal id on the cluster-wide
 * {@code wikifarm.task.<id>}.
 */
public final class SseBridgeVerticle extends VerticleBase {
  private static final LogThrottle UNJOURNALED = new LogThrottle(Logger.getLogger(SseBridgeVerticle.class.getName()),
      Duration.ofMinutes(1));

  private final AppConfig.Sse config;
  private final JournalWriter journal;
  private final Map<String, TaskStream> streams = new HashMap<>();
  private MessageConsumer<JsonObject> consumer;

  public SseBridgeVerticle(AppConfig.Sse config, JournalWriter journal) {
    this.config = config;
    this.journal = journal;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().localConsumer(EventBusAddresses.RAW_EVENTS, message -> {
      TaskEvent.Raw raw = TaskEvent.Raw.fromJson(message.body());
      streams.computeIfAbsent(raw.taskId(), TaskStream::new).accept(raw.event());
    });
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    // flush what is pending so a shutdown does not swallow the last progress of running tasks
    streams.values().forEach(TaskStream::flush);
    return consumer.unregister();
  }

  /** Throttling state and the ordered write chain of one task. Touched only on this verticle's event loop. */
  private final class TaskStream {
    private final String taskId;
    /** Emitted, not yet journaled (a write is in flight). */
    private List<TaskEvent> unwritten = new ArrayList<>();
    private boolean writing;
    private String lastPhase;
    private int lastProgress;
    private long lastEmitAt;
    private TaskEvent pending;
    private long timer = -1;

    TaskStream(String taskId) {
      this.taskId = taskId;
    }

    void accept(TaskEvent raw) {
      // progress is monotonic for observers even if a late output line carries an older percentage
      lastProgress = Math.max(lastProgress, raw.progress());
      TaskEvent event = raw.withProgress(lastProgress);
      boolean terminal = event.terminal();
      boolean phaseChange = !Objects.equals(event.phase(), lastPhase);
      long now = System.currentTimeMillis();
      if (terminal || phaseChange) {
        flush(); // the previous phase ends on its latest value
        emit(event);
        if (terminal) {
          streams.remove(taskId);
        }
        return;
      }
      if (now - lastEmitAt >= config.throttle().toMillis()) {
        // the window is over: this event supersedes a pending one of the same phase (whose timer has not fired
        // yet), so only it goes out — flushing both would send two events at once
        cancelTimer();
        pending = null;
        emit(event);
        return;
      }
      pending = event; // keep only the latest within the window
      if (timer < 0) {
        long delay = Math.max(1, lastEmitAt + config.throttle().toMillis() - now);
        timer = vertx.setTimer(delay, id -> {
          timer = -1;
          flush();
        });
      }
    }

    void flush() {
      cancelTimer();
      if (pending != null) {
        TaskEvent event = pending;
        pending = null;
        emit(event);
      }
    }

    private void cancelTimer() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    private void emit(TaskEvent event) {
      lastPhase = event.phase();
      lastEmitAt = System.currentTimeMillis();
      unwritten.add(event);
      if (!writing) {
        // at the end of this tick, so events emitted together (a task's last phases and its end) go together
        writing = true;
        vertx.runOnContext(v -> writeUnwritten());
      }
    }

    /**
     * Journals every event emitted since the last write in one batch (one Redis round trip), then publishes
     * them in order, together, so the hub sends them to its clients as one write; events emitted meanwhile wait
     * for the next batch, which keeps ids in emission order. A failed write still publishes its events.
     */
    private void writeUnwritten() {
      List<TaskEvent> batch = unwritten;
      unwritten = new ArrayList<>();
      writing = true;
      journal.appendAll(taskId, batch)
          .recover(e -> {
            UNJOURNALED.warning("journal of task " + taskId + " unavailable (" + e.getMessage() + "); events sent "
                + "without id, so a client that reconnects gets the state from the task row: check Redis");
            return Future.succeededFuture(Collections.nCopies(batch.size(), null));
          })
          .onComplete(ids -> {
            for (int i = 0; i < batch.size(); i++) {
              String id = ids.succeeded() ? ids.result().get(i) : null;
              vertx.eventBus().publish(EventBusAddresses.task(taskId), new TaskEvent.Journaled(id, batch.get(i)).toJson());
            }
            writing = false;
            if (!unwritten.isEmpty()) {
              writing = true;
              writeUnwritten();
            }
          });
    }
  }
}
