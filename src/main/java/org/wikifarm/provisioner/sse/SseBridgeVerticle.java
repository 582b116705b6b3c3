package org.wikifarm.provisioner.sse;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * Between this node's workers and every node's SSE clients: takes raw task events (local address), coalesces
 * bursts to at most one progress event per task per {@code sse.throttle} (phase changes and the terminal event
 * are never dropped, progress never goes backwards), journals each event in Redis in order, and publishes it
 * with its journal id on the cluster-wide {@code wikifarm.task.<id>}.
 */
public final class SseBridgeVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(SseBridgeVerticle.class.getName());

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
    private Future<Void> chain = Future.succeededFuture();
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
      // journal writes are chained so ids follow emission order; a failed write still publishes the event
      chain = chain.transform(ignored -> journal.append(taskId, event)
          .recover(e -> {
            LOG.warning("journal of task " + taskId + " unavailable (" + e.getMessage() + "); event sent without id");
            return Future.succeededFuture(null);
          })
          .map(id -> {
            vertx.eventBus().publish(EventBusAddresses.task(taskId), new TaskEvent.Journaled(id, event).toJson());
            return null;
          }));
    }
  }
}
