package org.wikifarm.provisioner.support;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Waiting for Vert.x futures from blocking threads (provisioning threads, the CLI's main thread). These are
 * never event loops, so blocking is allowed; {@code Future.await()} is not usable there on Java 17. The only
 * place that turns a future into a blocking call.
 */
public final class Blocking {
  private static final Logger LOG = Logger.getLogger(Blocking.class.getName());

  private Blocking() {}

  /** The future's result, or its failure rethrown as it is; a {@link TimeoutException} after {@code timeout}. */
  public static <T> T await(Future<T> future, Duration timeout) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /**
   * Retries {@code action} with exponential backoff (250 ms doubling, capped at 5 s) until it succeeds or
   * {@code patience} runs out: rides out a Redis restart or a dropped MariaDB connection.
   */
  public static <T> T retrying(String what, Duration patience, Supplier<Future<T>> action) throws Exception {
    long deadline = System.nanoTime() + patience.toNanos();
    long backoff = 250;
    for (int attempt = 1; ; attempt++) {
      try {
        return await(action.get(), Duration.ofSeconds(10));
      } catch (Exception e) {
        if (System.nanoTime() + backoff * 1_000_000 > deadline) {
          throw e instanceof TimeoutException ? new TimeoutException(what + " timed out") : e;
        }
        if (attempt == 1 || attempt % 10 == 0) {
          LOG.warning(what + " failed (" + e.getMessage() + "); retrying");
        }
        Thread.sleep(backoff);
        backoff = Math.min(5_000, backoff * 2);
      }
    }
  }
}
