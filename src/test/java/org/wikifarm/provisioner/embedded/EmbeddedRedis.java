package org.wikifarm.provisioner.embedded;

import redis.embedded.RedisServer;

/**
 * A real Redis 7 server for tests and the dev mode: the binary bundled in {@code org.signal:embedded-redis}. Loopback only, no snapshots ({@code save ""}).
 */
public final class EmbeddedRedis implements AutoCloseable {
  private final RedisServer server;
  private final int port;

  private EmbeddedRedis(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  public static EmbeddedRedis start(int port) throws Exception {
    if (port == 0) {
      port = EmbeddedMariaDb.freePort();
    }
    RedisServer server = RedisServer.builder()
        .port(port)
        .bind("127.0.0.1")
        .setting("save \"\"")
        .setting("appendonly no")
        .build();
    server.start();
    return new EmbeddedRedis(server, port);
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops the server (tests use this to simulate an outage) — {@link #restart()} brings it back. */
  public void stop() {
    server.stop();
  }

  public void restart() {
    server.start();
  }

  @Override
  public void close() {
    if (server.isActive()) {
      server.stop();
    }
  }
}
