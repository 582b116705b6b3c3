package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * How long each phase took in recent tasks (a capped Redis list per phase, shared by all nodes), so progress
 * inside a long phase can be paced by what that phase usually takes on this farm.
 */
public final class PhaseTimings {
  static final int KEPT = 25;

  private final RedisAPI redis;
  private final RedisKeys keys;

  public PhaseTimings(RedisAPI redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  /** Remembers one successful run of {@code phase}. */
  public Future<Void> record(String phase, Duration took) {
    String key = keys.phaseDurations(phase);
    return redis.lpush(List.of(key, Long.toString(took.toMillis())))
        .compose(r -> redis.ltrim(key, "0", Integer.toString(KEPT - 1))).mapEmpty();
  }

  /** The median of the recent runs of {@code phase}, or null when there is no history yet. */
  public Future<Duration> median(String phase) {
    return redis.lrange(keys.phaseDurations(phase), "0", "-1").map(PhaseTimings::median);
  }

  static Duration median(Response values) {
    if (values == null || values.size() == 0) {
      return null;
    }
    List<Long> millis = new ArrayList<>();
    for (Response v : values) {
      millis.add(v.toLong());
    }
    Collections.sort(millis);
    int n = millis.size();
    long median = n % 2 == 1 ? millis.get(n / 2) : (millis.get(n / 2 - 1) + millis.get(n / 2)) / 2;
    return Duration.ofMillis(median);
  }
}
