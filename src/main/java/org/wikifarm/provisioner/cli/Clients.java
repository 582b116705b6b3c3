package org.wikifarm.provisioner.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import org.wikifarm.provisioner.cluster.StandaloneVertx;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.store.Pools;
import org.wikifarm.provisioner.store.RedisKeys;
import org.wikifarm.provisioner.store.Redises;
import org.wikifarm.provisioner.support.Blocking;

/**
 * The clients of one one-shot command, built the way the service builds them ({@link Pools}, {@link Redises}),
 * and closed together. Redis is connected lazily: commands that only read MariaDB never need it.
 */
final class Clients implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  final Vertx vertx = StandaloneVertx.create(new VertxOptions());
  final AppConfig config;
  final Pool pool;
  private Redis redis;

  Clients(AppConfig config) {
    this.config = config;
    this.pool = Pools.metadata(vertx, config.database());
  }

  synchronized RedisAPI redis() {
    if (redis == null) {
      redis = Redises.client(vertx, config.redis());
    }
    return RedisAPI.api(redis);
  }

  RedisKeys keys() {
    return new RedisKeys(config.redis().keyPrefix());
  }

  /** Waits for a store call; the command's main thread is never an event loop. */
  <T> T await(Future<T> future) throws Exception {
    return Blocking.await(future, WAIT);
  }

  @Override
  public void close() {
    try {
      if (redis != null) {
        redis.close();
      }
      Blocking.await(pool.close(), Duration.ofSeconds(10));
    } catch (Exception e) {
      // the process is about to exit; nothing is left to release
    }
    // not awaited: the close completes on an event loop that is being shut down
    vertx.close();
  }
}
