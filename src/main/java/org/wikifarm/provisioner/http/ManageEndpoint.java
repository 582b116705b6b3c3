package org.wikifarm.provisioner.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.manage.ManageApi;
import org.wikifarm.provisioner.manage.PermissionSet;
import org.wikifarm.provisioner.manage.WikiExtensions;
import org.wikifarm.provisioner.manage.WikiExtensions.Kind;

/**
 * The manage API under {@value HttpVerticle#MANAGE_BASE} (SPEC §4.4), called by each wiki's management page:
 * permissions, extensions, skins, favicon. Every route needs the identity headers in both identity modes (401
 * without), a valid slug, and — when {@code X-Forwarded-Host} names a wiki of this farm — that wiki's own slug
 * (400 {@code host_mismatch}), so one wiki's page can never manage another. Owner, existence and state are
 * checked by {@code manage}.
 */
public final class ManageEndpoint {
  private final AppConfig config;
  private final ManageApi manage;
  private final String rootHostSuffix;

  public ManageEndpoint(AppConfig config, ManageApi manage) {
    this.config = config;
    this.manage = manage;
    this.rootHostSuffix = "." + withoutPort(config.farm().rootHost());
  }

  public void register(Router router) {
    router.get("/wikis/:slug/permissions").handler(ctx -> answer(ctx, manage.permissions()
        .get(target(ctx), callerId(ctx)).map(PermissionSet::toJson)));
    router.post("/wikis/:slug/permissions").handler(ctx -> {
      String slug = target(ctx);
      PermissionSet set = PermissionSet.fromJson(StrictJson.parseObject(jsonBody(ctx)));
      answer(ctx, manage.permissions().replace(slug, callerId(ctx), set).map(PermissionSet::toJson));
    });
    for (Kind kind : Kind.values()) {
      router.get("/wikis/:slug/" + kind.dir).handler(ctx -> answer(ctx,
          manage.extensions().list(target(ctx), callerId(ctx), kind)));
      router.post("/wikis/:slug/" + kind.dir + "/sync").handler(ctx -> {
        String slug = target(ctx);
        List<String> names = WikiExtensions.names(StrictJson.parseArray(jsonBody(ctx)));
        answer(ctx, manage.extensions().sync(slug, callerId(ctx), kind, names));
      });
    }
    router.put("/wikis/:slug/favicon").handler(this::putFavicon);
  }

  private void putFavicon(RoutingContext ctx) {
    String slug = target(ctx);
    String contentType = ctx.request().getHeader("Content-Type");
    byte[] bytes = RawBodyHandler.body(ctx).getBytes();
    if (MultipartFile.isMultipart(contentType)) {
      MultipartFile file = MultipartFile.single(bytes, contentType);
      bytes = file.content();
      contentType = file.contentType();
    }
    answer(ctx, manage.favicons().put(slug, callerId(ctx), bytes, contentType));
  }

  /**
   * The identity, slug and host checks every route starts with; returns the slug. The caller is kept on the
   * context for the handler.
   */
  private String target(RoutingContext ctx) {
    Caller caller = Caller.required(ctx.request().headers());
    String slug = ctx.pathParam("slug");
    String problem = WikiRules.slugProblem(slug);
    if (problem != null) {
      throw ApiException.invalidField("invalid_slug", "slug", problem);
    }
    for (String host : ctx.request().headers().getAll("X-Forwarded-Host")) {
      for (String one : host.split(",")) { // proxies that append make a list: every entry must agree
        String h = withoutPort(one.strip().toLowerCase(Locale.ROOT));
        if (h.endsWith(rootHostSuffix) && !h.substring(0, h.indexOf('.')).equals(slug)) {
          throw ApiException.badRequest("host_mismatch", "this request comes from another wiki's page "
              + "(X-Forwarded-Host) than the wiki it manages");
        }
      }
    }
    ctx.put("wikifarm.caller", caller);
    return slug;
  }

  private static long callerId(RoutingContext ctx) {
    return ctx.<Caller>get("wikifarm.caller").id();
  }

  /** JSON routes keep the v1 API's body limit; only the favicon route uses the manage router's larger one. */
  private Buffer jsonBody(RoutingContext ctx) {
    StrictJson.requireJsonContentType(ctx.request());
    Buffer body = RawBodyHandler.body(ctx);
    if (body.length() > config.http().bodyLimitBytes()) {
      throw new ApiException(413, "payload_too_large", "the request body is larger than the limit");
    }
    return body;
  }

  private static void answer(RoutingContext ctx, Future<JsonObject> result) {
    result.onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(ctx::fail);
  }

  private static String withoutPort(String host) {
    return host == null ? "" : host.replaceFirst(":[0-9]*$", "").toLowerCase(Locale.ROOT);
  }
}
