package org.wikifarm.provisioner.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.wikifarm.provisioner.store.TaskQueue;
import org.wikifarm.provisioner.task.TaskId;

/**
 * {@code DELETE /wikis/{slug}} (SPEC §4, §6.2): the owner deletes a {@code ready} or {@code failed} wiki
 * asynchronously → 202 {@code {"task_id"}} and the task's SSE stream as {@code Location}, like a create.
 *
 * <p>Identity: the identity headers are required in <em>both</em> identity modes (401 without), the decision
 * already taken for {@code PATCH} ({@link WikiPatchEndpoint}): a DELETE has no body to carry an owner, and the
 * trusted proxy injects the headers anyway. Not the owner → 403 {@code not_owner}; unknown → 404; a wiki still
 * being created, already being deleted, or with a task queued or running → 409 {@code wiki_busy}; without the
 * v2 migration → 501 {@code migration_required}. The rules are checked in the enqueue transaction itself.
 */
public final class WikiDeleteEndpoint {
  private final TaskQueue queue;

  public WikiDeleteEndpoint(TaskQueue queue) {
    this.queue = queue;
  }

  public void register(Router api) {
    api.delete("/wikis/:slug").handler(this::delete);
  }

  private void delete(RoutingContext ctx) {
    Caller caller = Caller.required(ctx.request().headers());
    String slug = ctx.pathParam("slug");
    String slugProblem = WikiRules.slugProblem(slug);
    if (slugProblem != null) {
      throw ApiException.invalidField("invalid_slug", "slug", slugProblem);
    }
    queue.enqueueDeletion(TaskId.newId(), slug, caller.id(), caller.username()).onSuccess(id -> {
      ctx.response().putHeader("Location", HttpVerticle.API_BASE + "/tasks/" + id + "/events");
      Responses.json(ctx, 202, new JsonObject().put("task_id", id));
    }).onFailure(ctx::fail);
  }
}
