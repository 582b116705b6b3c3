package org.wikifarm.provisioner.task;

/** Every event-bus address the service uses. Bodies are JSON only, so they cross a cluster unchanged. */
public final class EventBusAddresses {
  private EventBusAddresses() {}

  /** Published after a task row is committed: {@code {"task_id": "…"}}. Wakes idle workers on any node. */
  public static final String TASKS_ENQUEUED = "wikifarm.tasks.enqueued";

  /**
   * Published after a change to wiki rows committed (create, ready, failed, delete queued/finished, name,
   * visibility): a {@link WikiChange} {@code {"slug"?, "owner_user_id"?}}. Every node's read cache drops what
   * it names (everything when a field is absent).
   */
  public static final String WIKIS_CHANGED = "wikifarm.wikis.changed";

  /**
   * Raw events from this node's workers to this node's SSE bridge (local only): {@code {"task_id", "event"}}.
   * The bridge throttles and journals them, then publishes them on {@link #task(String)}.
   */
  public static final String RAW_EVENTS = "wikifarm.events.raw";

  /**
   * Journaled per-task events, cluster-wide: {@code {"id": "<journal id or null>", "event": {...}}}, consumed
   * by every node that has an SSE client watching the task.
   */
  public static String task(String taskId) {
    return "wikifarm.task." + taskId;
  }
}
