package org.wikifarm.provisioner.task;

import io.vertx.core.json.JsonObject;

/**
 * The one event shape of a task (SPEC §5): a {@code progress} event while the task is queued or running, then
 * one terminal {@code status} event. This is the only place that writes or reads event JSON; the event bus,
 * the Redis journal and the SSE stream all carry {@link #toJson()}.
 *
 * @param type     {@link Type#PROGRESS} or {@link Type#STATUS}
 * @param status   queued/running for progress, succeeded/failed for status
 * @param progress 0–100, never decreasing along one task's stream
 * @param phase    the phase's wire name, or null (no phase yet, or a terminal event)
 * @param message  a human-readable line, or null
 * @param wikiId   set on a succeeded terminal event
 */
public record TaskEvent(Type type, TaskStatus status, int progress, String phase, String message, Long wikiId) {

  /** The SSE event name of each kind. */
  public enum Type {
    PROGRESS, STATUS;

    public String wire() {
      return name().toLowerCase();
    }
  }

  /** The first event of every task, written when the task is queued. */
  public static TaskEvent queued() {
    return new TaskEvent(Type.PROGRESS, TaskStatus.QUEUED, 0, null, "queued", null);
  }

  public static TaskEvent progress(TaskStatus status, int progress, String phase, String message) {
    return new TaskEvent(Type.PROGRESS, status, progress, phase, message, null);
  }

  /** The terminal event; {@code wikiId} is kept only for a success. */
  public static TaskEvent finished(boolean succeeded, int progress, Long wikiId, String message) {
    return new TaskEvent(Type.STATUS, succeeded ? TaskStatus.SUCCEEDED : TaskStatus.FAILED, progress, null, message,
        succeeded ? wikiId : null);
  }

  public boolean terminal() {
    return type == Type.STATUS;
  }

  public TaskEvent withProgress(int newProgress) {
    return new TaskEvent(type, status, newProgress, phase, message, wikiId);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type.wire()).put("status", status.wire()).put("progress", progress)
        .put("message", message);
    if (phase != null) {
      json.put("phase", phase);
    }
    if (wikiId != null) {
      json.put("wiki_id", wikiId);
    }
    return json;
  }

  public static TaskEvent fromJson(JsonObject json) {
    Type type = Type.valueOf(json.getString("type", "progress").toUpperCase());
    return new TaskEvent(type, TaskStatus.fromWire(json.getString("status")), json.getInteger("progress", 0),
        json.getString("phase"), json.getString("message"), json.getLong("wiki_id"));
  }

  /** An event on its way from a worker to its node's bridge ({@link EventBusAddresses#RAW_EVENTS}). */
  public record Raw(String taskId, TaskEvent event) {
    public JsonObject toJson() {
      return new JsonObject().put("task_id", taskId).put("event", event.toJson());
    }

    public static Raw fromJson(JsonObject json) {
      return new Raw(json.getString("task_id"), TaskEvent.fromJson(json.getJsonObject("event")));
    }
  }

  /**
   * An event with its journal id (null when it could not be journaled), as published on
   * {@link EventBusAddresses#task(String)} and replayed from the journal.
   */
  public record Journaled(String id, TaskEvent event) {
    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("event", event.toJson());
    }

    public static Journaled fromJson(JsonObject json) {
      return new Journaled(json.getString("id"), TaskEvent.fromJson(json.getJsonObject("event")));
    }
  }
}
