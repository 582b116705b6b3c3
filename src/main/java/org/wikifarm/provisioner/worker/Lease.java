package org.wikifarm.provisioner.worker;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;

/**
 * The Redis lease of a running task ({@code task:<id>:lease} = this holder's token, PX = TTL). Whoever holds
 * it runs the task; a crashed holder stops renewing, the key expires, and another worker may take over.
 */
final class Lease {
  /** Renew only if we still own it: a GET + PEXPIRE that cannot interleave with another node's SET NX. */
  private static final String RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then "
      + "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
  private static final String RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then "
      + "return redis.call('del', KEYS[1]) else return 0 end";

  private final RedisAPI redis;
  private final String key;
  private final String token;
  private final Duration ttl;

  Lease(RedisAPI redis, String key, String token, Duration ttl) {
    this.redis = redis;
    this.key = key;
    this.token = token;
    this.ttl = ttl;
  }

  /** SET NX PX: true when this holder got the lease. */
  Future<Boolean> acquire() {
    return redis.set(List.of(key, token, "NX", "PX", Long.toString(ttl.toMillis()))).map(r -> r != null);
  }

  /**
   * Extends the lease. When the key has vanished (Redis restarted without persistence) it is taken again;
   * false means another holder owns it now and this one must stop.
   */
  Future<Boolean> renew() {
    return redis.eval(List.of(RENEW, "1", key, token, Long.toString(ttl.toMillis())))
        .compose(r -> r.toLong() == 1 ? Future.succeededFuture(true)
            : redis.get(key).compose(owner -> owner == null ? acquire() : Future.succeededFuture(false)));
  }

  Future<Void> release() {
    return redis.eval(List.of(RELEASE, "1", key, token)).mapEmpty();
  }
}
