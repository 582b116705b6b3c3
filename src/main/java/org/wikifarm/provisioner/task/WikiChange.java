package org.wikifarm.provisioner.task;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * A committed change to wiki rows, as cached readers need to hear of it: the slug and the owner it touched, each
 * null when the publisher does not know it (then every cached answer of that kind is dropped). Published on
 * {@link EventBusAddresses#WIKIS_CHANGED} to every node; the public lists are always dropped.
 */
public record WikiChange(String slug, Long ownerUserId) {
  /** Something changed, nobody says what (a worker finishing a task knows only the wiki's id). */
  public static final WikiChange ANY = new WikiChange(null, null);

  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    if (slug != null) {
      json.put("slug", slug);
    }
    if (ownerUserId != null) {
      json.put("owner_user_id", ownerUserId);
    }
    return json;
  }

  public static WikiChange fromJson(JsonObject json) {
    return json == null ? ANY : new WikiChange(json.getString("slug"), json.getLong("owner_user_id"));
  }

  /** Publishes (never sends: every node must hear it) after the change committed. */
  public void publish(EventBus bus) {
    bus.publish(EventBusAddresses.WIKIS_CHANGED, toJson());
  }
}
