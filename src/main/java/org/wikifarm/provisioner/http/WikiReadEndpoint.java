package org.wikifarm.provisioner.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.AppConfig.Identity;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.store.WikiStore;

/**
 * Reading wikis: the featured and public lists, one wiki, an owner's wikis, and the slug availability check.
 * In {@code headers} identity mode a private or unlisted wiki is shown only to its owner (SPEC §4, v2); in
 * {@code body} mode the caller is a trusted proxy and sees everything. Answers come from the node's
 * {@link WikiReadCache} (encoded once, written as they are); who may see what is decided per request, before
 * the cache is asked, so a cached answer never reaches a caller who may not see it.
 */
public final class WikiReadEndpoint {
  private static final int MAX_OFFSET = 1_000_000;
  private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,7}");

  private final AppConfig config;
  private final WikiRules rules;
  private final WikiStore store;
  private final WikiReadCache cache;
  private final String urlScheme;

  public WikiReadEndpoint(AppConfig config, WikiStore store, WikiReadCache cache) {
    this.config = config;
    this.rules = new WikiRules(config);
    this.store = store;
    this.cache = cache;
    this.urlScheme = config.farm().urlScheme();
  }

  public void register(Router api) {
    api.get("/wikis").handler(this::listFeaturedOrPublic);
    api.get("/wikis/public").handler(ctx -> listPublic(ctx, false));
    api.get("/wikis/slug/:slug/exists").handler(this::slugExists);
    api.get("/wikis/:slug").handler(this::one);
    api.get("/users/:userId/wikis").handler(this::listByOwner);
  }

  private void listFeaturedOrPublic(RoutingContext ctx) {
    String featured = ctx.queryParams().get("featured");
    switch (featured == null ? "1" : featured) {
      case "1", "true" -> listPublic(ctx, true);
      case "0", "false" -> listPublic(ctx, false);
      default -> throw ApiException.invalidField("invalid_parameter", "featured", "featured must be 1 or 0");
    }
  }

  private void listPublic(RoutingContext ctx, boolean featuredOnly) {
    int limit = intParam(ctx, "limit", 20, 1, 100);
    int offset = intParam(ctx, "offset", 0, 0, MAX_OFFSET);
    cache.page(featuredOnly, limit, offset,
            after -> store.listPublic(featuredOnly, limit, offset, after),
            page -> WikiJson.list(page.wikis(), urlScheme, page.nextOffset()))
        .onSuccess(body -> Responses.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void one(RoutingContext ctx) {
    String slug = validSlug(ctx.pathParam("slug"));
    Caller viewer = viewer(ctx);
    cache.wikis.get(slug, () -> store.findBySlug(slug)
            .map(wiki -> new WikiReadCache.Shown(wiki, wiki == null ? null : WikiJson.of(wiki, urlScheme))))
        .onSuccess(shown -> {
          if (shown.wiki() == null || !visibleTo(shown.wiki(), viewer)) {
            // a hidden wiki answers exactly like a missing one, so its existence is not disclosed
            ctx.fail(ApiException.notFound("no wiki with the slug '" + slug + "'"));
            return;
          }
          Responses.json(ctx, 200, shown.body());
        }).onFailure(ctx::fail);
  }

  private void listByOwner(RoutingContext ctx) {
    long userId = CreateWikiRequest.parseUserId(ctx.pathParam("userId"));
    Caller viewer = viewer(ctx);
    boolean everything = config.http().identity() == Identity.BODY || (viewer != null && viewer.id() == userId);
    // the owner's full view and the public view are kept apart: the key says which one was read
    cache.owners.get(new WikiReadCache.OwnerKey(userId, !everything),
            () -> store.listByOwner(userId, !everything).map(wikis -> WikiJson.list(wikis, urlScheme, null)))
        .onSuccess(body -> Responses.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  private void slugExists(RoutingContext ctx) {
    String slug = validSlug(ctx.pathParam("slug"));
    if (rules.isReserved(slug)) {
      Responses.json(ctx, 200, new JsonObject().put("slug", slug).put("exists", true).put("reason", "reserved"));
      return;
    }
    cache.slugChecks.get(slug, () -> store.slugExists(slug).map(exists -> {
          JsonObject body = new JsonObject().put("slug", slug).put("exists", exists);
          if (exists) {
            body.put("reason", "taken");
          }
          return body.toBuffer();
        }))
        .onSuccess(body -> Responses.json(ctx, 200, body))
        .onFailure(ctx::fail);
  }

  /** The caller in {@code headers} mode (null when anonymous); nobody in particular in {@code body} mode. */
  private Caller viewer(RoutingContext ctx) {
    return config.http().identity() == Identity.HEADERS ? Caller.fromHeaders(ctx.request().headers()) : null;
  }

  private boolean visibleTo(Wiki wiki, Caller viewer) {
    return config.http().identity() == Identity.BODY || "public".equals(wiki.visibility())
        || (viewer != null && viewer.id() == wiki.ownerUserId());
  }

  private static String validSlug(String slug) {
    String problem = WikiRules.slugProblem(slug);
    if (problem != null) {
      throw ApiException.invalidField("invalid_slug", "slug", problem);
    }
    return slug;
  }

  private static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null) {
      return fallback;
    }
    if (!WHOLE_NUMBER.matcher(raw).matches() || Integer.parseInt(raw) < min || Integer.parseInt(raw) > max) {
      throw ApiException.invalidField("invalid_parameter", name, name + " must be a whole number from " + min + " to " + max);
    }
    return Integer.parseInt(raw);
  }
}
