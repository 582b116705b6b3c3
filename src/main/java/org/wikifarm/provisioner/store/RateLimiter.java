package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Caps how many wikis one owner may request per window (fixed window, a Redis counter per owner and window,
 * shared by all nodes). While Redis is down the limit is not enforced: creating wikis matters more than
 * throttling them.
 */
public final class RateLimiter {
  private static final Logger LOG = Logger.getLogger(RateLimiter.class.getName());

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final int limit;
  private final Duration window;

  public RateLimiter(RedisAPI redis, RedisKeys keys, int limit, Duration window) {
    this.redis = redis;
    this.keys = keys;
    this.limit = limit;
    this.window = window;
  }

  /** Counts one request; succeeds with 0 when allowed, or with the seconds until the window ends. */
  public Future<Long> acquire(long ownerId) {
    if (limit <= 0) {
      return Future.succeededFuture(0L);
    }
    long windowMs = window.toMillis();
    long now = System.currentTimeMillis();
    long windowIndex = now / windowMs;
    String key = keys.createRate(ownerId, windowIndex);
    return redis.incr(key)
        .compose(count -> {
          Future<?> expire = count.toLong() == 1
              ? redis.pexpire(List.of(key, Long.toString(windowMs + 1000))) : Future.succeededFuture();
          long retryAfter = count.toLong() <= limit ? 0 : Math.max(1, ((windowIndex + 1) * windowMs - now + 999) / 1000);
          return expire.map(retryAfter);
        })
        .recover(e -> {
          LOG.warning("rate limit not enforced, Redis unavailable: " + e.getMessage());
          return Future.succeededFuture(0L);
        });
  }
}
