package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * {@code Idempotency-Key} records: the same key from the same owner within the TTL returns the first
 * request's task id, also while that request is still in flight; the same key with a different body is a
 * client error. A request first <em>claims</em> the key (SET NX, state {@code pending}, with the task id it is
 * about to create); the claim becomes {@code done} when the create commits, or is dropped when it fails, so a
 * retry can try again. Keys and bodies are stored as SHA-256 hashes only.
 */
public final class Idempotency {
  /** Deletes the claim only if it is still ours (a later request may have claimed the key since). */
  private static final String DROP_IF_OURS = """
      local v = redis.call('GET', KEYS[1])
      if v and cjson.decode(v)['task_id'] == ARGV[1] then return redis.call('DEL', KEYS[1]) end
      return 0""";

  /** SET NX, or the record that holds the key: nil when claimed. Atomic, so the holder cannot vanish between. */
  private static final String CLAIM_OR_GET = """
      if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return nil end
      return redis.call('GET', KEYS[1])""";

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final Duration ttl;

  public Idempotency(RedisAPI redis, RedisKeys keys, Duration ttl) {
    this.redis = redis;
    this.keys = keys;
    this.ttl = ttl;
  }

  /** The record of a key: the body it was used with, its task id, and whether that create has committed. */
  public record Record(String bodyHash, String taskId, boolean done) {}

  /**
   * Claims the key for {@code taskId}; null when claimed, otherwise the record that holds it. One round trip:
   * the holder's record comes back from the same atomic step that found the key taken.
   */
  public Future<Record> claim(long ownerId, String key, String bodyHash, String taskId) {
    return redis.eval(List.of(CLAIM_OR_GET, "1", keys.idempotency(ownerId, sha256(key)),
            encode(bodyHash, taskId, false), Long.toString(ttl.toSeconds())))
        .map(holder -> holder == null ? null : decode(holder.toString()));
  }

  private static Record decode(String value) {
    JsonObject json = new JsonObject(value);
    return new Record(json.getString("body"), json.getString("task_id"), !"pending".equals(json.getString("state")));
  }

  /** The create of a claimed key committed: later requests get its task id at once. */
  public Future<Void> complete(long ownerId, String key, String bodyHash, String taskId) {
    return redis.set(List.of(keys.idempotency(ownerId, sha256(key)), encode(bodyHash, taskId, true), "XX", "EX",
        Long.toString(ttl.toSeconds()))).mapEmpty();
  }

  /** The create of a claimed key failed: free the key so the client can retry with it. */
  public Future<Void> drop(long ownerId, String key, String taskId) {
    return redis.eval(List.of(DROP_IF_OURS, "1", keys.idempotency(ownerId, sha256(key)), taskId)).mapEmpty();
  }

  private static String encode(String bodyHash, String taskId, boolean done) {
    return new JsonObject().put("body", bodyHash).put("task_id", taskId).put("state", done ? "done" : "pending")
        .encode();
  }

  public static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
