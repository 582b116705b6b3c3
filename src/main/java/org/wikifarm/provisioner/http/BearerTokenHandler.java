package org.wikifarm.provisioner.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.wikifarm.provisioner.config.Secret;

/** Requires {@code Authorization: Bearer <PROVISIONER_API_TOKEN>}, compared in constant time. */
final class BearerTokenHandler implements Handler<RoutingContext> {
  private final Secret token;

  BearerTokenHandler(Secret token) {
    this.token = token;
  }

  @Override
  public void handle(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip() : null;
    if (!token.matches(presented)) {
      ctx.fail(ApiException.unauthorized("unauthorized", "a valid bearer token is required"));
      return;
    }
    ctx.next();
  }
}
