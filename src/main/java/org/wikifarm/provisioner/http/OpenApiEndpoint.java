package org.wikifarm.provisioner.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /provisioner/v1/openapi.json}: the OpenAPI 3.1 document of every route, a resource of the jar
 * ({@value #RESOURCE}). Registered on the v1 router, so the bearer token applies as to the rest of the API.
 */
public final class OpenApiEndpoint {
  static final String RESOURCE = "openapi.json";

  private OpenApiEndpoint() {}

  public static void register(Router api) {
    api.get("/openapi.json").handler(OpenApiEndpoint::serve);
  }

  /** Read per request (Vert.x caches classpath resources on disk): rare calls, no state to keep. */
  private static void serve(RoutingContext ctx) {
    ctx.vertx().fileSystem().readFile(RESOURCE)
        .onSuccess(document -> ctx.response()
            .putHeader("Content-Type", "application/json; charset=utf-8")
            .putHeader("Cache-Control", "no-cache")
            .end(document))
        .onFailure(ctx::fail);
  }
}
