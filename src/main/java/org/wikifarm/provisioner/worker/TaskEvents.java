package org.wikifarm.provisioner.worker;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.wikifarm.provisioner.EventBusAddresses;

/**
 * Hands a task's raw events to this node's SSE bridge, which throttles, journals and fans them out. Local
 * delivery only: the bridge on the node running the task is the single writer of its journal.
 */
public final class TaskEvents {
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private final EventBus bus;

  public TaskEvents(EventBus bus) {
    this.bus = bus;
  }

  public void progress(String taskId, String status, int progress, String phase, String message) {
    JsonObject event = new JsonObject().put("type", "progress").put("status", status).put("progress", progress)
        .put("message", message);
    if (phase != null) {
      event.put("phase", phase);
    }
    bus.send(EventBusAddresses.RAW_EVENTS, new JsonObject().put("task_id", taskId).put("event", event), LOCAL);
  }

  public void finished(String taskId, boolean succeeded, Long wikiId, String message) {
    JsonObject event = new JsonObject().put("type", "status").put("status", succeeded ? "succeeded" : "failed")
        .put("progress", 100).put("message", message);
    if (wikiId != null) {
      event.put("wiki_id", wikiId);
    }
    bus.send(EventBusAddresses.RAW_EVENTS, new JsonObject().put("task_id", taskId).put("event", event), LOCAL);
  }
}
