package org.wikifarm.provisioner.sse;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * How the SSE tests build a client request: its whole chain in one event-loop task, so the response's handlers
 * are attached in the task that sees the response. Attached from a test's thread they could come after the
 * first chunks had been delivered, which Vert.x 5 drops (eclipse-vertx/vert.x#5825): a stream that lost its
 * replay then waited for it until the test's timeout (seen once in CI, at 60 s).
 */
final class OnEventLoop {
  private OnEventLoop() {}

  static <T> Future<T> chain(Vertx vertx, Supplier<Future<T>> chain) {
    Promise<T> result = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> chain.get().onComplete(result));
    return result.future();
  }
}
