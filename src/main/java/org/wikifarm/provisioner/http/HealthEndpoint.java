package org.wikifarm.provisioner.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Liveness ({@code /health}: the process answers, no dependency calls) and readiness ({@code /ready}: every
 * dependency answers quickly; 503 with the per-dependency state otherwise). Failure details stay in the log;
 * the body only says which dependency is down.
 */
public final class HealthEndpoint {
  private static final long CHECK_TIMEOUT_MS = 2_000;

  private final List<ReadinessCheck> checks;

  public HealthEndpoint(List<ReadinessCheck> checks) {
    this.checks = List.copyOf(checks);
  }

  public void register(Router router) {
    router.get("/health").handler(this::health);
    router.get("/ready").handler(this::ready);
  }

  private void health(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject().put("status", "ok"));
  }

  private void ready(RoutingContext ctx) {
    List<Future<String>> results = new ArrayList<>();
    for (ReadinessCheck check : checks) {
      results.add(withTimeout(check).map(v -> "ok").otherwise(e -> "unavailable"));
    }
    Future.join(results).onComplete(ignored -> {
      JsonObject dependencies = new JsonObject();
      boolean ok = true;
      for (int i = 0; i < checks.size(); i++) {
        String state = results.get(i).result();
        dependencies.put(checks.get(i).name(), state);
        ok &= "ok".equals(state);
      }
      JsonObject body = new JsonObject().put("status", ok ? "ready" : "unavailable").put("dependencies", dependencies);
      for (ReadinessCheck check : checks) {
        if (check.details() != null) {
          body.put(check.name(), check.details().get());
        }
      }
      Responses.json(ctx, ok ? 200 : 503, body);
    });
  }

  private Future<?> withTimeout(ReadinessCheck check) {
    Future<?> result;
    try {
      result = check.check().get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return result.timeout(CHECK_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }
}
