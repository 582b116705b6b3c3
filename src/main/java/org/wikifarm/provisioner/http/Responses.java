package org.wikifarm.provisioner.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON bodies (successes and errors) with the headers every API response carries. */
final class Responses {
  // pre-encoded header values: written on every answer
  private static final CharSequence JSON_UTF8 = HttpHeaders.createOptimized("application/json; charset=utf-8");
  private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

  private Responses() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    json(ctx.response(), status, body);
  }

  static void json(HttpServerResponse response, int status, JsonObject body) {
    json(response, status, body.toBuffer());
  }

  /** An encoded body (a cached answer is written as it is). */
  static void json(RoutingContext ctx, int status, Buffer body) {
    json(ctx.response(), status, body);
  }

  private static void json(HttpServerResponse response, int status, Buffer body) {
    response
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON_UTF8)
        .putHeader(HttpHeaders.CACHE_CONTROL, NO_STORE)
        .end(body);
  }
}
