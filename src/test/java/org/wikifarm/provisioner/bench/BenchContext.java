package org.wikifarm.provisioner.bench;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.EmbeddedRedis;

/**
 * What the harness gives a section: the shared MariaDB (the metadata database seeded with 10,000 wikis of 500
 * owners before any section runs) and Redis on loopback, a way to start the service of the code version being
 * measured as its own JVM (the fat jar), and the run's settings.
 */
public interface BenchContext {
  /** {@code baseline} (the fat jar built from the baseline commit) or {@code current} (the working tree). */
  String codeLabel();

  /** Shorter measurements, for developing the harness; the recorded run is never quick. */
  boolean quick();

  /** How long one load measurement lasts (wrk -d, an SSE round): 10 s, or 3 s when quick. */
  Duration measureFor();

  /** A fresh empty directory for this section and code version. */
  Path scratch() throws Exception;

  EmbeddedMariaDb mariaDb();

  EmbeddedRedis redis();

  /**
   * A complete configuration both code versions accept: the shared MariaDB/Redis (a Redis key prefix of its own
   * per call), a farm under {@code farmRoot} with the demo template, the local executor with no commands,
   * worker off, create rate limit off. Sections adjust it (e.g. {@code worker.enabled}) before {@link #start}.
   */
  JsonObject baseConfig(Path farmRoot) throws Exception;

  /** Starts the measured code's fat jar ({@code java <jvmFlags> -jar … serve}) on a free 127.0.0.1 port. */
  ServiceUnderTest start(JsonObject config, String... jvmFlags) throws Exception;

  /** Runs wrk against a loopback URL: {@code wrk -t2 -c<connections> -d<measureFor> --latency [-s script]}. */
  WrkResult wrk(String url, int connections, Path luaScript) throws Exception;

  /**
   * The warm-up every URL gets before it is measured: 3 s of wrk with the same settings, figures discarded, then
   * waits until the requests wrk left queued in the node are answered.
   */
  void warmUp(String url, int connections, Path luaScript) throws Exception;

  /**
   * The same warm-up for a plain baseline server, which has no /metrics to say it is idle: 3 s of wrk, then a
   * second for what wrk left in flight (a plain server queues nothing beyond its DB pool).
   */
  void warmUpPlain(String url, int connections, Path luaScript) throws Exception;

  /** A line of context for docs/BENCHMARKS.md (what was seeded, a reason a goal cannot be met here, …). */
  void note(String line);

  /** wrk's figures. */
  record WrkResult(double requestsPerSecond, double p99Millis, long non2xx, long errors) {
    /** Fails when any answer was not 2xx or any socket failed: such a figure measures errors, not the service. */
    void requireClean(String what, Path serviceLog) {
      if (non2xx > 0 || errors > 0) {
        throw new IllegalStateException(what + ": " + non2xx + " non-2xx answers, " + errors + " socket errors; see "
            + serviceLog);
      }
    }
  }

  /** A running node; {@link #close()} stops it with SIGTERM and waits. */
  interface ServiceUnderTest extends AutoCloseable {
    String baseUrl();

    long pid();

    /** The process's resident set size now (VmRSS), in KiB. */
    long rssKiB() throws Exception;

    Path log();

    @Override
    void close() throws Exception;
  }
}
