package org.wikifarm.provisioner;

/** Every event-bus address the service uses. Bodies are JSON only, so they cross a cluster unchanged. */
public final class EventBusAddresses {
  private EventBusAddresses() {}

  /** Published after a task row is committed: {@code {"task_id": "…"}}. Wakes idle workers on any node. */
  public static final String TASKS_ENQUEUED = "wikifarm.tasks.enqueued";

  /** Per-task progress/status events published by the node running the task. */
  public static String task(String taskId) {
    return "wikifarm.task." + taskId;
  }
}
