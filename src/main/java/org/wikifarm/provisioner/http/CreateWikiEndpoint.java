package org.wikifarm.provisioner.http;

import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.store.Idempotency;
import org.wikifarm.provisioner.store.NewWiki;
import org.wikifarm.provisioner.store.RateLimiter;
import org.wikifarm.provisioner.store.TaskQueue;
import org.wikifarm.provisioner.support.Audit;
import org.wikifarm.provisioner.task.TaskId;
import org.wikifarm.provisioner.task.TaskType;

/**
 * {@code POST /wikis}: validates, then queues the create (202 + task id). The per-owner rate limit counts only
 * creates that are accepted; an {@code Idempotency-Key} returns the same task id to every request that carries
 * it with the same body, including requests racing the first one.
 */
public final class CreateWikiEndpoint {
  private static final Logger LOG = Logger.getLogger(CreateWikiEndpoint.class.getName());
  /** How long a request waits for an in-flight request with the same Idempotency-Key to finish. */
  private static final Duration IN_FLIGHT_WAIT = Duration.ofSeconds(15);

  private final AppConfig config;
  private final WikiRules rules;
  private final TaskQueue queue;
  private final Idempotency idempotency;
  private final RateLimiter rateLimiter;

  public CreateWikiEndpoint(AppConfig config, TaskQueue queue, Idempotency idempotency, RateLimiter rateLimiter) {
    this.config = config;
    this.rules = new WikiRules(config);
    this.queue = queue;
    this.idempotency = idempotency;
    this.rateLimiter = rateLimiter;
  }

  public void register(Router api) {
    api.post("/wikis").handler(this::create);
  }

  private void create(RoutingContext ctx) {
    StrictJson.requireJsonContentType(ctx.request());
    JsonObject body = StrictJson.parseObject(ctx.body().buffer());
    CreateWikiRequest request = CreateWikiRequest.parse(body, ctx.request().headers(), config, rules);
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key != null && (key.isEmpty() || key.length() > 255 || !key.matches("^[\\x21-\\x7e]+$"))) {
      throw ApiException.badRequest("invalid_idempotency_key", "Idempotency-Key must be 1-255 visible ASCII characters");
    }
    Future<String> taskId = key == null ? admitAndQueue(request, TaskId.newId())
        : idempotent(ctx, request, key, Idempotency.sha256(Json.encode(request)), System.nanoTime());
    taskId.onSuccess(id -> {
      ctx.response().putHeader("Location", HttpVerticle.API_BASE + "/tasks/" + id + "/events");
      Responses.json(ctx, 202, new JsonObject().put("task_id", id));
    }).onFailure(ctx::fail);
  }

  /**
   * Claims the key for a new task id and creates it, or answers with the task of the request that holds the
   * key — waiting while that one is still in flight, and taking over if it fails.
   */
  private Future<String> idempotent(RoutingContext ctx, CreateWikiRequest request, String key, String bodyHash,
      long startedNanos) {
    String taskId = TaskId.newId();
    return idempotency.claim(request.ownerId(), key, bodyHash, taskId)
        .recover(e -> {
          LOG.warning("Redis unavailable for Idempotency-Key; treating as a new request: " + e.getMessage());
          return Future.succeededFuture(new Idempotency.Record(bodyHash, taskId, false));
        })
        .compose(holder -> {
          if (holder == null || holder.taskId().equals(taskId)) { // ours (or Redis is down): create it
            return admitAndQueue(request, taskId)
                .onSuccess(id -> idempotency.complete(request.ownerId(), key, bodyHash, id))
                .onFailure(e -> idempotency.drop(request.ownerId(), key, taskId));
          }
          if (!holder.bodyHash().equals(bodyHash)) {
            return Future.failedFuture(new ApiException(422, "idempotency_key_reused",
                "this Idempotency-Key was already used with a different request body"));
          }
          if (holder.done()) {
            return Future.succeededFuture(holder.taskId());
          }
          if (System.nanoTime() - startedNanos > IN_FLIGHT_WAIT.toNanos()) {
            return Future.failedFuture(ApiException.unavailable(
                "a request with this Idempotency-Key is still being processed; retry shortly"));
          }
          // the first request is still in flight: look again shortly (it completes or drops the claim)
          return ctx.vertx().timer(25).compose(t -> idempotent(ctx, request, key, bodyHash, startedNanos));
        });
  }

  private static void audit(CreateWikiRequest r, String taskId) {
    JsonObject details = new JsonObject().put("type", TaskType.CREATE_WIKI.wire()).put("wiki", r.slug())
        .put("visibility", r.visibility());
    if (r.template() != null) {
      details.put("template", r.template());
    }
    Audit.record(Long.toString(r.ownerId()), "task.create", taskId, "queued", details);
  }

  /**
   * Queues the create; the rate limit slot is taken inside its transaction and handed back if it fails. Only a
   * create that was queued is audited (a replayed Idempotency-Key or a rejected request changes nothing).
   */
  private Future<String> admitAndQueue(CreateWikiRequest r, String taskId) {
    NewWiki wiki = new NewWiki(r.name(), r.slug(), r.slug() + "." + config.farm().rootHost(), r.language(),
        r.visibility(), r.ownerId(), r.ownerUsername(), r.template());
    AtomicReference<RateLimiter.Slot> slot = new AtomicReference<>();
    return queue.enqueue(taskId, wiki, () -> rateLimiter.reserve(r.ownerId()).onSuccess(slot::set))
        .onSuccess(id -> audit(r, id))
        .onFailure(e -> {
          if (slot.get() != null) {
            rateLimiter.release(slot.get());
          }
        });
  }
}
