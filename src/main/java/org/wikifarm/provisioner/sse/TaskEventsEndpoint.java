package org.wikifarm.provisioner.sse;

import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.http.ApiException;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.store.TaskStore;

/**
 * {@code GET /tasks/{id}/events}: the task's progress as Server-Sent Events (SPEC §5). Subscribes to live
 * events first, then replays the journal after {@code Last-Event-ID} (or synthesizes one event from the task
 * row when the journal has expired), then streams live events it has not sent yet, and closes after the
 * terminal {@code status} event. No response timeout applies to this route.
 */
public final class TaskEventsEndpoint {
  private static final Pattern TASK_ID =
      Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");

  private final AppConfig config;
  private final TaskStore tasks;
  private final EventJournal journal;
  private final TaskEventHub hub;

  public TaskEventsEndpoint(AppConfig config, TaskStore tasks, EventJournal journal, TaskEventHub hub) {
    this.config = config;
    this.tasks = tasks;
    this.journal = journal;
    this.hub = hub;
  }

  public void register(Router api) {
    api.get("/tasks/:taskId/events").handler(this::stream);
  }

  private void stream(RoutingContext ctx) {
    String taskId = ctx.pathParam("taskId");
    if (!TASK_ID.matcher(taskId).matches()) {
      throw ApiException.badRequest("invalid_task_id", "the task id must be a lowercase UUID");
    }
    String header = ctx.request().getHeader("Last-Event-ID");
    String lastEventId = EventJournal.isId(header) ? header : null;
    Connection connection = new Connection(ctx, taskId, lastEventId);
    connection.start();
  }

  /** One SSE client. All methods run on the client's event loop. */
  private final class Connection {
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final String taskId;
    private String lastSentId;
    private boolean replaying = true;
    private final List<JsonObject> buffered = new ArrayList<>();
    private JsonObject latestWhileFull;
    private boolean closed;
    private long heartbeat = -1;
    private TaskEventHub.Subscription subscription;

    Connection(RoutingContext ctx, String taskId, String lastEventId) {
      this.ctx = ctx;
      this.response = ctx.response();
      this.taskId = taskId;
      this.lastSentId = lastEventId;
    }

    void start() {
      Context context = ctx.vertx().getOrCreateContext();
      subscription = hub.subscribe(taskId, context, this::onLive);
      subscription.ready()
          .compose(v -> tasks.find(taskId))
          .onFailure(e -> {
            cleanUp();
            ctx.fail(e);
          })
          .onSuccess(task -> {
            if (task == null) {
              cleanUp();
              ctx.fail(ApiException.notFound("no task " + taskId));
              return;
            }
            open();
            replay(task);
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
      heartbeat = ctx.vertx().setPeriodic(config.sse().heartbeat().toMillis(), id -> {
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
        List<EventJournal.Entry> entries = ar.succeeded() ? ar.result() : List.of();
        for (EventJournal.Entry entry : entries) {
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
        for (JsonObject live : buffered) {
          onLive(live);
        }
        buffered.clear();
      });
    }

    /** One event standing for the task's state as MariaDB records it. */
    private void synthesize(Task task) {
      if (task.terminal()) {
        JsonObject status = new JsonObject().put("type", "status").put("status", task.status()).put("progress", 100)
            .put("message", task.message());
        if ("succeeded".equals(task.status()) && task.wikiId() != null) {
          status.put("wiki_id", task.wikiId());
        }
        send(null, status);
      } else if (lastSentId == null) {
        send(null, new JsonObject().put("type", "progress").put("status", task.status())
            .put("progress", task.progress()).put("message", task.message()));
      }
    }

    private void onLive(JsonObject message) {
      if (closed) {
        return;
      }
      if (replaying) {
        buffered.add(message);
        return;
      }
      String id = message.getString("id");
      if (id != null && lastSentId != null && EventJournal.compare(id, lastSentId) <= 0) {
        return; // already replayed
      }
      JsonObject event = message.getJsonObject("event");
      boolean terminal = "status".equals(event.getString("type"));
      if (response.writeQueueFull() && !terminal) {
        // a slow client gets the latest state when it drains, never an unbounded backlog
        latestWhileFull = message;
        response.drainHandler(v -> {
          JsonObject latest = latestWhileFull;
          latestWhileFull = null;
          if (latest != null) {
            onLive(latest);
          }
        });
        return;
      }
      send(id, event);
    }

    private void send(String id, JsonObject event) {
      StringBuilder frame = new StringBuilder();
      if (id != null) {
        frame.append("id: ").append(id).append('\n');
        lastSentId = id;
      }
      String type = event.getString("type", "progress");
      frame.append("event: ").append(type).append('\n')
          .append("data: ").append(event.encode()).append("\n\n");
      response.write(frame.toString());
      if ("status".equals(type)) {
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
        ctx.vertx().cancelTimer(heartbeat);
      }
      if (subscription != null) {
        subscription.cancel();
      }
    }
  }
}
