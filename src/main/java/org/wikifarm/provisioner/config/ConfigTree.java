package org.wikifarm.provisioner.config;

import io.vertx.core.json.JsonObject;

/** Dotted keys ({@code http.bind}) on the nested JSON that every configuration layer is made of. */
final class ConfigTree {

  private ConfigTree() {}

  /** The value at {@code a.b.c}, or null when any step of the way is missing or not a mapping. */
  static Object get(JsonObject root, String key) {
    Object node = root;
    for (String part : key.split("\\.")) {
      if (!(node instanceof JsonObject object)) {
        return null;
      }
      node = object.getValue(part);
    }
    return node;
  }

  /** Sets {@code a.b.c}, creating the intermediate objects. */
  static void set(JsonObject root, String key, Object value) {
    String[] parts = key.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }

  /**
   * A copy without null values. A YAML key or section whose content is all commented out reads as null; merged
   * as is, it would wipe the default beneath it.
   */
  static JsonObject withoutNulls(JsonObject json) {
    JsonObject out = new JsonObject();
    json.forEach(e -> {
      if (e.getValue() instanceof JsonObject child) {
        out.put(e.getKey(), withoutNulls(child));
      } else if (e.getValue() != null) {
        out.put(e.getKey(), e.getValue());
      }
    });
    return out;
  }
}
