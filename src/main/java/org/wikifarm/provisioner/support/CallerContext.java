package org.wikifarm.provisioner.support;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

/**
 * One answer shared by callers on several event loops (a cached list, a task row read once for thousands of SSE
 * clients) must reach each caller on its own context, where its request's state lives; completing it on
 * whichever loop did the read would run every caller's continuation there.
 */
public final class CallerContext {
  private CallerContext() {}

  /**
   * {@code shared} as seen from the calling context: an answer already there is handed over at once; one still
   * coming completes on the caller's context (directly when it arrives there anyway). Outside any context the
   * shared future itself is returned.
   */
  public static <T> Future<T> relay(Future<T> shared) {
    if (shared.succeeded()) {
      return Future.succeededFuture(shared.result());
    }
    Context caller = Vertx.currentContext();
    if (caller == null) {
      return shared;
    }
    Promise<T> relay = Promise.promise();
    shared.onComplete(result -> {
      if (caller == Vertx.currentContext()) {
        relay.handle(result);
      } else {
        caller.runOnContext(v -> relay.handle(result));
      }
    });
    return relay.future();
  }
}
