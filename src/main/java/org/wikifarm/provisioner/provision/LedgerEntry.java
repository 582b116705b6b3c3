package org.wikifarm.provisioner.provision;

import io.vertx.core.json.JsonObject;

/**
 * One resource a task created (or is about to create): which phase owns it, what kind it is
 * ({@code directory}, {@code file}, {@code database}, {@code db_user}, {@code grant}, …) and a reference
 * (a path, a database name). Never holds secrets: the ledger lives in Redis.
 */
public record LedgerEntry(String phase, String kind, String ref) {

  public JsonObject toJson() {
    return new JsonObject().put("phase", phase).put("kind", kind).put("ref", ref);
  }

  public static LedgerEntry fromJson(JsonObject json) {
    return new LedgerEntry(json.getString("phase"), json.getString("kind"), json.getString("ref"));
  }
}
