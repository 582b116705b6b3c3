package org.wikifarm.provisioner.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import redis.embedded.RedisExecProvider;

/**
 * A real Redis 7 server for tests and the dev mode: the binary bundled in {@code org.signal:embedded-redis},
 * run as a {@link ServerProcess} (the library's own runner adds a JVM shutdown hook that would stop Redis while
 * the dev mode's service still uses it). Loopback only. In memory for tests; with a data directory (the dev mode)
 * every write is kept in an append-only file, so leases, ledgers and event journals survive a restart as the
 * database does.
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final Pattern READY = Pattern.compile("Ready to accept connections");
  private static final Duration STOP_GRACE = Duration.ofSeconds(30);

  private final List<String> command;
  private final Path log;
  private final int port;
  private final String leftover;
  private ServerProcess server;

  private EmbeddedRedis(List<String> command, Path log, int port, String leftover) {
    this.command = command;
    this.log = log;
    this.port = port;
    this.leftover = leftover;
  }

  /** In memory, nothing written to disk; stopped at JVM exit. */
  public static EmbeddedRedis start(int port) throws Exception {
    if (port == 0) {
      port = EmbeddedMariaDb.freePort();
    }
    List<String> command = new ArrayList<>(List.of(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no"));
    Path log = Files.createTempFile(TestInfra.scratch(), "redis-", ".log");
    EmbeddedRedis redis = new EmbeddedRedis(command, log, port, null);
    redis.restart();
    Runtime.getRuntime().addShutdownHook(new Thread(redis::close, "redis-stop"));
    return redis;
  }

  /**
   * Persistent in {@code dataDir} (append-only file, fsync every second and at shutdown); only {@link #close}
   * stops it. A server left running there by a crashed earlier run is stopped first.
   */
  public static EmbeddedRedis startOwned(Path dataDir, int port) throws Exception {
    dataDir = Files.createDirectories(dataDir.toAbsolutePath().normalize());
    Path pidFile = dataDir.resolve("redis.pid");
    String leftover = ServerProcess.stopLeftover(pidFile, "redis-server", STOP_GRACE).orElse(null);
    List<String> command = new ArrayList<>(List.of(binary(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dataDir.toString(), "--pidfile", pidFile.toString(), "--save", "", "--appendonly", "yes",
        "--appendfsync", "everysec"));
    EmbeddedRedis redis = new EmbeddedRedis(command, dataDir.resolveSibling(dataDir.getFileName() + ".log"), port,
        leftover);
    redis.restart();
    return redis;
  }

  private static String binary() throws Exception {
    return RedisExecProvider.defaultProvider().get().getAbsolutePath();
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** What was done about a server a crashed earlier run left on the data directory, if anything. */
  public Optional<String> leftoverStopped() {
    return Optional.ofNullable(leftover);
  }

  /** Stops the server (tests use this to simulate an outage) — {@link #restart()} brings it back. */
  public synchronized void stop() {
    try {
      if (server != null) {
        server.stop(STOP_GRACE);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public synchronized void restart() {
    try {
      server = ServerProcess.start("redis", command, Map.of(), log, READY, Duration.ofSeconds(30));
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("redis did not start", e);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
