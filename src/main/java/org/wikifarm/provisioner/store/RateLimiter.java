package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Caps how many wikis one owner may create per window (fixed window, a Redis counter per owner and window,
 * shared by all nodes). Only accepted creates count: a slot is reserved atomically (never past the limit) just
 * before the create commits and handed back when the create fails, so a request rejected for any reason
 * consumes nothing. While Redis is down the limit is not enforced: creating wikis matters more than throttling.
 */
public final class RateLimiter {
  private static final Logger LOG = Logger.getLogger(RateLimiter.class.getName());
  /** INCR only below the limit, in one step: parallel requests can never push the count past it. */
  private static final String RESERVE = """
      local c = tonumber(redis.call('GET', KEYS[1]) or '0')
      if c >= tonumber(ARGV[1]) then return -1 end
      c = redis.call('INCR', KEYS[1])
      if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
      return c""";

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

  /** A reserved slot of one owner's window; {@link #release} hands it back. */
  public record Slot(String key) {
    static final Slot NONE = new Slot(null);
  }

  /** The owner exceeded the limit; retry after the window ends. */
  public static final class LimitedException extends RuntimeException {
    private final long retryAfterSeconds;

    LimitedException(long retryAfterSeconds) {
      super("rate limited", null, false, false);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  /** Reserves one create, or fails with {@link LimitedException}. */
  public Future<Slot> reserve(long ownerId) {
    if (limit <= 0) {
      return Future.succeededFuture(Slot.NONE);
    }
    long windowMs = window.toMillis();
    long now = System.currentTimeMillis();
    long windowIndex = now / windowMs;
    String key = keys.createRate(ownerId, windowIndex);
    return redis.eval(List.of(RESERVE, "1", key, Integer.toString(limit), Long.toString(windowMs + 1000)))
        .recover(e -> {
          LOG.warning("rate limit not enforced, Redis unavailable: " + e.getMessage());
          return Future.succeededFuture(null);
        })
        .compose(count -> {
          if (count == null) {
            return Future.succeededFuture(Slot.NONE);
          }
          if (count.toLong() < 0) {
            long retryAfter = Math.max(1, ((windowIndex + 1) * windowMs - now + 999) / 1000);
            return Future.failedFuture(new LimitedException(retryAfter));
          }
          return Future.succeededFuture(new Slot(key));
        });
  }

  /** Hands a slot back (the create it was reserved for did not happen). */
  public Future<Void> release(Slot slot) {
    if (slot.key() == null) {
      return Future.succeededFuture();
    }
    return redis.decr(slot.key()).<Void>mapEmpty()
        .onFailure(e -> LOG.fine("rate slot not handed back (" + e.getMessage() + "); it expires with its window"));
  }
}
