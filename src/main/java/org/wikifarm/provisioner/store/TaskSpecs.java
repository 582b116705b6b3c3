package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;

/**
 * Request extras the task rows have no column for (the template name), kept in Redis under
 * {@code task:<id>:spec} until the task ends. Written before the task row is committed, so a worker never
 * sees a task whose extras are still on their way.
 */
public final class TaskSpecs {
  /** Long enough to outlive any realistic queue backlog; the worker deletes the key when the task ends. */
  private static final Duration TTL = Duration.ofDays(7);

  private final RedisAPI redis;
  private final RedisKeys keys;

  public TaskSpecs(RedisAPI redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  public Future<Void> put(String taskId, JsonObject spec) {
    return redis.set(List.of(keys.taskSpec(taskId), spec.encode(), "EX", Long.toString(TTL.toSeconds()))).mapEmpty();
  }

  /** The spec, or an empty object when none was stored (no extras, or Redis was down at create time). */
  public Future<JsonObject> get(String taskId) {
    return redis.get(keys.taskSpec(taskId)).map(r -> r == null ? new JsonObject() : new JsonObject(r.toString()));
  }

  public Future<Void> delete(String taskId) {
    return redis.del(List.of(keys.taskSpec(taskId))).mapEmpty();
  }
}
