package org.wikifarm.provisioner.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.manage.WikiSettings;
import org.wikifarm.provisioner.task.WikiChange;

/**
 * {@code PATCH /wikis/{slug}} (SPEC §4, v2): the owner changes {@code visibility} and/or {@code name}; anything
 * else in the body is a 400, and so is a body that changes nothing.
 *
 * <p>Identity: the identity headers are required in <em>both</em> identity modes (401 without). In
 * {@code body} mode a create carries its owner in the JSON, but a PATCH body has no owner field (SPEC: anything
 * besides the two fields is a 400), and the trusted proxy injects the same headers anyway. Unlike the manage
 * API, no {@code X-Forwarded-Host} check: this route is called from the farm's own page, not a wiki's.
 */
public final class WikiPatchEndpoint {
  private final AppConfig config;
  private final WikiSettings settings;

  public WikiPatchEndpoint(AppConfig config, WikiSettings settings) {
    this.config = config;
    this.settings = settings;
  }

  public void register(Router api) {
    api.patch("/wikis/:slug").handler(this::patch);
  }

  private void patch(RoutingContext ctx) {
    Caller caller = Caller.required(ctx.request().headers());
    String slug = ctx.pathParam("slug");
    String slugProblem = WikiRules.slugProblem(slug);
    if (slugProblem != null) {
      throw ApiException.invalidField("invalid_slug", "slug", slugProblem);
    }
    StrictJson.requireJsonContentType(ctx.request());
    WikiSettings.Change change = parse(StrictJson.parseObject(ctx.body().buffer()));
    settings.apply(slug, caller.id(), change)
        // also after a failure: the row may have changed before the ini write failed
        .onComplete(done -> new WikiChange(slug, caller.id()).publish(ctx.vertx().eventBus()))
        .onSuccess(wiki -> Responses.json(ctx, 200, WikiJson.of(wiki, config.farm().urlScheme())))
        .onFailure(ctx::fail);
  }

  static WikiSettings.Change parse(JsonObject body) {
    for (String field : body.fieldNames()) {
      if (!field.equals("name") && !field.equals("visibility")) {
        throw ApiException.invalidField("invalid_field", field.length() <= 64 ? field : "body",
            "only name and visibility can be changed");
      }
    }
    if (body.isEmpty()) {
      throw ApiException.badRequest("empty_change", "send name and/or visibility to change");
    }
    String visibility = null;
    if (body.containsKey("visibility")) {
      if (!(body.getValue("visibility") instanceof String v) || !CreateWikiRequest.VISIBILITIES.contains(v)) {
        throw ApiException.invalidField("invalid_visibility", "visibility",
            "visibility must be one of public, private, unlisted");
      }
      visibility = v;
    }
    String name = null;
    if (body.containsKey("name")) {
      if (!(body.getValue("name") instanceof String raw)) {
        throw ApiException.invalidField("invalid_name", "name", "name must be a string");
      }
      name = WikiRules.stripBlank(raw); // the same rules as a create: it becomes $wgSitename and $wgMetaNamespace
      String problem = WikiRules.nameProblem(name);
      if (problem != null) {
        throw ApiException.invalidField("invalid_name", "name", problem);
      }
    }
    return new WikiSettings.Change(name, visibility);
  }
}
