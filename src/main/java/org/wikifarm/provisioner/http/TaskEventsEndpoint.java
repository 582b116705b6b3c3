package org.wikifarm.provisioner.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.sse.JournalReader;
import org.wikifarm.provisioner.sse.SharedTaskLookup;
import org.wikifarm.provisioner.sse.SseConnection;
import org.wikifarm.provisioner.sse.TaskEventHub;
import org.wikifarm.provisioner.sse.TaskLookup;
import org.wikifarm.provisioner.store.EventJournal;
import org.wikifarm.provisioner.support.TaskMetrics;
import org.wikifarm.provisioner.task.TaskId;

/** {@code GET /tasks/{id}/events}: a task's progress as Server-Sent Events (one {@link SseConnection} per client). */
public final class TaskEventsEndpoint {
  private final AppConfig.Sse config;
  private final TaskLookup tasks;
  private final JournalReader journal;
  private final TaskEventHub hub;
  private final TaskMetrics metrics;

  public TaskEventsEndpoint(AppConfig.Sse config, TaskLookup tasks, JournalReader journal, TaskEventHub hub,
      TaskMetrics metrics) {
    this.config = config;
    this.tasks = new SharedTaskLookup(tasks); // a burst of clients of one task costs one row read, not one each
    this.journal = journal;
    this.hub = hub;
    this.metrics = metrics;
  }

  public void register(Router api) {
    api.get("/tasks/:taskId/events").handler(this::stream);
  }

  private void stream(RoutingContext ctx) {
    String taskId = ctx.pathParam("taskId");
    if (!TaskId.isValid(taskId)) {
      throw ApiException.badRequest("invalid_task_id", "the task id must be a lowercase UUID");
    }
    String header = ctx.request().getHeader("Last-Event-ID");
    String lastEventId = EventJournal.isId(header) ? header : null;
    new SseConnection(ctx.vertx(), ctx.response(), taskId, lastEventId, config.heartbeat(), tasks, journal, hub,
        metrics)
        .start()
        .onSuccess(found -> {
          if (!found) {
            ctx.fail(ApiException.notFound("no task " + taskId));
          }
        })
        .onFailure(ctx::fail);
  }
}
