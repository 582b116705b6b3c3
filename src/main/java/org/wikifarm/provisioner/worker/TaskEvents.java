package org.wikifarm.provisioner.worker;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.WikiChange;

/**
 * Hands a task's raw events to this node's SSE bridge, which throttles, journals and fans them out. Local
 * delivery only: the bridge on the node running the task is the single writer of its journal. Also tells every
 * node's read cache that a task's end changed its wiki's row ({@link WikiChange}).
 */
public final class TaskEvents {
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private final EventBus bus;

  public TaskEvents(EventBus bus) {
    this.bus = bus;
  }

  public void send(String taskId, TaskEvent event) {
    bus.send(EventBusAddresses.RAW_EVENTS, new TaskEvent.Raw(taskId, event).toJson(), LOCAL);
  }

  /** After a task's end was recorded: its wiki's row changed (status, or gone); null when the wiki is unknown. */
  public void wikiChanged(Wiki wiki) {
    (wiki == null ? WikiChange.ANY : new WikiChange(wiki.slug(), wiki.ownerUserId())).publish(bus);
  }
}
