package org.wikifarm.provisioner.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.store.Idempotency;
import org.wikifarm.provisioner.store.NewWiki;
import org.wikifarm.provisioner.store.RateLimiter;
import org.wikifarm.provisioner.store.TaskQueue;
import org.wikifarm.provisioner.store.WikiStore;

/**
 * {@code /wikis} routes: create (async, 202 + task id), the featured/public listing, an owner's wikis and the
 * slug availability check.
 */
public final class WikiEndpoint {
  private static final Logger LOG = Logger.getLogger(WikiEndpoint.class.getName());
  private static final int MAX_OFFSET = 1_000_000;

  private final AppConfig config;
  private final WikiRules rules;
  private final WikiStore store;
  private final TaskQueue queue;
  private final Idempotency idempotency;
  private final RateLimiter rateLimiter;

  public WikiEndpoint(AppConfig config, WikiStore store, TaskQueue queue, Idempotency idempotency,
      RateLimiter rateLimiter) {
    this.config = config;
    this.rules = new WikiRules(config);
    this.store = store;
    this.queue = queue;
    this.idempotency = idempotency;
    this.rateLimiter = rateLimiter;
  }

  public void register(Router api) {
    api.post("/wikis").handler(this::create);
    api.get("/wikis").handler(this::listPublic);
    api.get("/wikis/slug/:slug/exists").handler(this::slugExists);
    api.get("/users/:userId/wikis").handler(this::listByOwner);
  }

  private void create(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
      ctx.fail(415);
      return;
    }
    JsonObject body = parseObject(ctx.body().buffer());
    CreateWikiRequest request = CreateWikiRequest.parse(body, ctx.request().headers(), config, rules);
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && (key.isEmpty() || key.length() > 255 || !key.matches("^[\\x21-\\x7e]+$"))) {
      throw ApiException.badRequest("invalid_idempotency_key", "Idempotency-Key must be 1-255 visible ASCII characters");
    }
    String bodyHash = Idempotency.sha256(Json.encode(request));
    Future<String> taskId = key == null ? limited(request)
        : idempotency.lookup(request.ownerId(), key)
            .recover(e -> {
              LOG.warning("Redis unavailable for Idempotency-Key lookup; treating as a new request: " + e.getMessage());
              return Future.succeededFuture(null);
            })
            .compose(earlier -> {
              if (earlier == null) {
                return limited(request).compose(id -> idempotency.remember(request.ownerId(), key, bodyHash, id)
                    .otherwiseEmpty().map(id));
              }
              if (!earlier.bodyHash().equals(bodyHash)) {
                return Future.failedFuture(new ApiException(422, "idempotency_key_reused",
                    "this Idempotency-Key was already used with a different request body"));
              }
              return Future.succeededFuture(earlier.taskId());
            });
    taskId.onSuccess(id -> {
      ctx.response().putHeader("Location", "/provisioner/v1/tasks/" + id + "/events");
      Responses.json(ctx, 202, new JsonObject().put("task_id", id));
    }).onFailure(ctx::fail);
  }

  /** Counts the request against its owner's rate limit (a replayed idempotent request is not counted). */
  private Future<String> limited(CreateWikiRequest request) {
    return rateLimiter.acquire(request.ownerId()).compose(retryAfter -> retryAfter > 0
        ? Future.failedFuture(new ApiException.RateLimited(retryAfter)) : queue.enqueue(toNewWiki(request)));
  }

  private NewWiki toNewWiki(CreateWikiRequest r) {
    return new NewWiki(r.name(), r.slug(), r.slug() + "." + config.farm().rootHost(), r.language(), r.visibility(),
        r.ownerId(), r.ownerUsername(), r.template());
  }

  private void listPublic(RoutingContext ctx) {
    boolean featured = switch (ctx.queryParams().get("featured") == null ? "1" : ctx.queryParams().get("featured")) {
      case "1", "true" -> true;
      case "0", "false" -> false;
      default -> throw ApiException.invalidField("invalid_parameter", "featured", "featured must be 1 or 0");
    };
    int limit = intParam(ctx, "limit", 20, 1, 100);
    int offset = intParam(ctx, "offset", 0, 0, MAX_OFFSET);
    store.listPublic(featured, limit, offset).onSuccess(page -> {
      JsonObject body = new JsonObject().put("wikis", WikiJson.list(page.wikis(), config.farm().urlScheme()));
      if (page.nextOffset() != null) {
        body.put("next_offset", page.nextOffset());
      }
      Responses.json(ctx, 200, body);
    }).onFailure(ctx::fail);
  }

  private void listByOwner(RoutingContext ctx) {
    long userId = CreateWikiRequest.parseUserId(ctx.pathParam("userId"), false);
    store.listByOwner(userId)
        .onSuccess(wikis -> Responses.json(ctx, 200,
            new JsonObject().put("wikis", WikiJson.list(wikis, config.farm().urlScheme()))))
        .onFailure(ctx::fail);
  }

  private void slugExists(RoutingContext ctx) {
    String slug = ctx.pathParam("slug");
    String problem = WikiRules.slugProblem(slug);
    if (problem != null) {
      throw ApiException.invalidField("invalid_slug", "slug", problem);
    }
    if (rules.isReserved(slug)) {
      Responses.json(ctx, 200, new JsonObject().put("slug", slug).put("exists", true).put("reason", "reserved"));
      return;
    }
    store.slugExists(slug).onSuccess(exists -> {
      JsonObject body = new JsonObject().put("slug", slug).put("exists", exists);
      if (exists) {
        body.put("reason", "taken");
      }
      Responses.json(ctx, 200, body);
    }).onFailure(ctx::fail);
  }

  private static JsonObject parseObject(Buffer buffer) {
    if (buffer == null || buffer.length() == 0) {
      throw ApiException.badRequest("invalid_json", "the request body is empty; send a JSON object");
    }
    Object parsed;
    try {
      parsed = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw ApiException.badRequest("invalid_json", "the request body is not valid JSON");
    }
    if (!(parsed instanceof JsonObject object)) {
      throw ApiException.badRequest("invalid_json", "the request body must be a JSON object");
    }
    return object;
  }

  private static int intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
    String raw = ctx.queryParams().get(name);
    if (raw == null) {
      return fallback;
    }
    if (!raw.matches("^[0-9]{1,7}$") || Integer.parseInt(raw) < min || Integer.parseInt(raw) > max) {
      throw ApiException.invalidField("invalid_parameter", name, name + " must be a whole number from " + min + " to " + max);
    }
    return Integer.parseInt(raw);
  }
}
