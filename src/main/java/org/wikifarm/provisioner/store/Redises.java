package org.wikifarm.provisioner.store;

import io.vertx.core.Vertx;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.wikifarm.provisioner.config.AppConfig;

/** Builds the node's Redis client. */
public final class Redises {
  private Redises() {}

  public static Redis client(Vertx vertx, AppConfig.Redis config) {
    RedisOptions options = new RedisOptions()
        .setConnectionString(config.connectionString().reveal())
        // replies differ between RESP2 and RESP3; pin one so parsing never depends on the server's default
        .setPreferredProtocolVersion(ProtocolVersion.RESP2)
        .setMaxPoolSize(16)
        .setMaxPoolWaiting(256)
        .setMaxWaitingHandlers(4096);
    return Redis.createClient(vertx, options);
  }
}
