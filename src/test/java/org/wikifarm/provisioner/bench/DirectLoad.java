package org.wikifarm.provisioner.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.SslMode;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;

/**
 * The "same SQL issued directly" baselines: an in-process load loop on a vertx-mysql-client pool of 8 (issue
 * 15's direct client; the service's default {@code database.pool-size} was 8 then, it is 32 now) as the
 * service's account, keeping {@value #IN_FLIGHT} operations in flight — as many as wrk's connections — for a
 * fixed time, after a warm-up of the same length as wrk's.
 */
final class DirectLoad implements AutoCloseable {
  static final int IN_FLIGHT = 64;
  static final int POOL_SIZE = 8;

  private final Vertx vertx = Vertx.vertx();
  private final Pool pool;

  DirectLoad(EmbeddedMariaDb db) {
    pool = MySQLBuilder.pool()
        .with(new PoolOptions().setMaxSize(POOL_SIZE))
        .connectingTo(new MySQLConnectOptions().setHost("127.0.0.1").setPort(db.port())
            .setUser(EmbeddedMariaDb.APP_USER).setPassword(EmbeddedMariaDb.APP_PASSWORD)
            .setDatabase(EmbeddedMariaDb.METADATA_DB).setSslMode(SslMode.DISABLED))
        .using(vertx).build();
  }

  /** Operations per second of {@code operation} over {@code duration}, after a warm-up. Fails on any error. */
  double opsPerSecond(Function<Pool, Future<?>> operation, Duration duration) throws Exception {
    run(operation, HarnessContext.WARM_UP);
    return run(operation, duration) / (duration.toNanos() / 1e9);
  }

  private long run(Function<Pool, Future<?>> operation, Duration duration) throws Exception {
    AtomicLong done = new AtomicLong();
    long deadline = System.nanoTime() + duration.toNanos();
    Promise<Void> finished = Promise.promise();
    AtomicLong running = new AtomicLong(IN_FLIGHT);
    vertx.runOnContext(v -> {
      for (int i = 0; i < IN_FLIGHT; i++) {
        loop(operation, deadline, done, running, finished);
      }
    });
    finished.future().toCompletionStage().toCompletableFuture().get(duration.toSeconds() + 60, TimeUnit.SECONDS);
    return done.get();
  }

  /** One of the in-flight chains: the next operation starts when the previous one has answered. */
  private void loop(Function<Pool, Future<?>> operation, long deadline, AtomicLong done, AtomicLong running,
      Promise<Void> finished) {
    if (System.nanoTime() >= deadline) {
      if (running.decrementAndGet() == 0) {
        finished.tryComplete();
      }
      return;
    }
    operation.apply(pool).onComplete(ar -> {
      if (ar.failed()) {
        finished.tryFail(ar.cause());
        return;
      }
      if (System.nanoTime() < deadline) {
        done.incrementAndGet();
      }
      loop(operation, deadline, done, running, finished);
    });
  }

  @Override
  public void close() throws Exception {
    pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
