package org.wikifarm.provisioner.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import org.wikifarm.provisioner.config.AppConfig;

/**
 * Serves the progress page (plain HTML/JS from {@code webroot/} in the jar, no build step) at {@code /}, and
 * {@code ui.json} beside it: how this node learns who the caller is, so the page can ask for the owner in
 * {@code body} mode and, in {@code headers} mode, say that the proxy supplies the user (and whom it supplied)
 * instead of offering fields the service would ignore.
 */
public final class ProgressPage {
  private ProgressPage() {}

  public static void register(Router root, AppConfig.Http http) {
    root.get("/ui.json").handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(uiConfig(ctx, http.identity()).encode()));
    root.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false).setIndexPage("index.html"));
  }

  private static JsonObject uiConfig(RoutingContext ctx, AppConfig.Identity identity) {
    if (identity != AppConfig.Identity.HEADERS) {
      return new JsonObject().put("identity", "body");
    }
    JsonObject json = new JsonObject().put("identity", "headers").putNull("user");
    try {
      Caller caller = Caller.fromHeaders(ctx.request().headers());
      if (caller != null) {
        json.put("user", new JsonObject().put("id", caller.id()).put("username", caller.username()));
      }
    } catch (ApiException e) {
      json.put("problem", e.getMessage()); // the API would refuse this caller the same way
    }
    return json;
  }
}
