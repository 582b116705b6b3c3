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
      results.add(withTimeout(check).map(v -> (String) null).otherwise(HealthEndpoint::why));
    }
    Future.join(results).onComplete(ignored -> {
      JsonObject dependencies = new JsonObject();
      JsonObject problems = new JsonObject();
      boolean ok = true;
      for (int i = 0; i < checks.size(); i++) {
        String problem = results.get(i).result();
        dependencies.put(checks.get(i).name(), problem == null ? "ok" : "unavailable");
        if (problem != null) {
          problems.put(checks.get(i).name(), problem);
        }
        ok &= problem == null;
      }
      JsonObject body = new JsonObject().put("status", ok ? "ready" : "unavailable").put("dependencies", dependencies);
      if (!problems.isEmpty()) {
        body.put("problems", problems); // why, in the checks' own actionable words (they never carry secrets)
      }
      for (ReadinessCheck check : checks) {
        if (check.details() != null) {
          body.put(check.name(), check.details().get());
        }
      }
      Responses.json(ctx, ok ? 200 : 503, body);
    });
  }

  private static String why(Throwable failure) {
    if (failure.getClass().getSimpleName().contains("Timeout")) {
      return "did not answer within " + CHECK_TIMEOUT_MS + " ms";
    }
    String message = failure.getMessage();
    return message == null || message.isBlank() ? "unavailable" : message;
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
