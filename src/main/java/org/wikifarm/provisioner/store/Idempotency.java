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
 * request's task id; the same key with a different body is a client error. Keys and bodies are stored as
 * SHA-256 hashes only.
 */
public final class Idempotency {
  private final RedisAPI redis;
  private final RedisKeys keys;
  private final Duration ttl;

  public Idempotency(RedisAPI redis, RedisKeys keys, Duration ttl) {
    this.redis = redis;
    this.keys = keys;
    this.ttl = ttl;
  }

  /** What an earlier request with this key did. */
  public record Earlier(String bodyHash, String taskId) {}

  public Future<Earlier> lookup(long ownerId, String key) {
    return redis.get(keys.idempotency(ownerId, sha256(key))).map(r -> {
      if (r == null) {
        return null;
      }
      JsonObject json = new JsonObject(r.toString());
      return new Earlier(json.getString("body"), json.getString("task_id"));
    });
  }

  /** Stores the outcome unless another request stored one first (SET NX). */
  public Future<Void> remember(long ownerId, String key, String bodyHash, String taskId) {
    String value = new JsonObject().put("body", bodyHash).put("task_id", taskId).encode();
    return redis.set(List.of(keys.idempotency(ownerId, sha256(key)), value, "NX", "EX",
        Long.toString(ttl.toSeconds()))).mapEmpty();
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
