package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.util.List;

/**
 * Request extras kept in Redis under {@code task:<id>:spec} by versions before the v2 migration moved them into
 * the task row. Read only for tasks queued by such a version (the task row has no spec column), and deleted
 * when a task ends.
 */
public final class TaskSpecs {
  private final RedisAPI redis;
  private final RedisKeys keys;

  public TaskSpecs(RedisAPI redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** The spec, or an empty object when none was stored (no extras, or Redis was down at create time). */
  public Future<JsonObject> get(String taskId) {
    return redis.get(keys.taskSpec(taskId)).map(r -> r == null ? new JsonObject() : new JsonObject(r.toString()));
  }

  public Future<Void> delete(String taskId) {
    return redis.del(List.of(keys.taskSpec(taskId))).mapEmpty();
  }
}
