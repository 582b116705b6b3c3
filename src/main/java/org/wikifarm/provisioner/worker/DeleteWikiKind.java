package org.wikifarm.provisioner.worker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.wikifarm.provisioner.provision.Orchestrator;
import org.wikifarm.provisioner.provision.WikiRequest;
import org.wikifarm.provisioner.store.TaskQueue;
import org.wikifarm.provisioner.store.TaskStore;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.support.Audit;

/**
 * {@code delete_wiki} (SPEC §6.2): removes what the wiki's create task made, proven by that task's markers
 * (its id is in the spec, fixed when the delete was requested, with the archive's name). Success deletes the
 * wiki row, freeing the slug; a failure rolls nothing back and leaves the wiki {@code failed}, deletable again.
 */
public final class DeleteWikiKind implements TaskKind {
  private final Orchestrator orchestrator;

  public DeleteWikiKind(Orchestrator orchestrator) {
    this.orchestrator = orchestrator;
  }

  @Override
  public Orchestrator orchestrator() {
    return orchestrator;
  }

  @Override
  public WikiRequest request(String taskId, Wiki wiki, JsonObject spec) throws CannotRun {
    if (wiki == null) {
      throw new CannotRun("the wiki row of this delete is missing; nothing was removed");
    }
    // an archive name is always stored with the task; a row without one (edited by hand) still gets a stable one
    String archive = spec.getString(TaskQueue.SPEC_ARCHIVE, wiki.slug() + "-" + taskId);
    return new WikiRequest(taskId, wiki.id(), wiki.name(), wiki.slug(), wiki.language(), null,
        spec.getString(TaskQueue.SPEC_CREATOR), archive);
  }

  @Override
  public Future<Void> succeed(TaskStore tasks, String taskId, long wikiId, String message) {
    return tasks.succeedDeletion(taskId, wikiId, message).onSuccess(v -> Audit.record("task:" + taskId,
        "wiki.delete", "wiki:" + wikiId, "deleted", null));
  }

  @Override
  public Future<Void> fail(TaskStore tasks, String taskId, Long wikiId, String message, boolean cleanedUp) {
    return tasks.failDeletion(taskId, wikiId, message).onSuccess(v -> Audit.record("task:" + taskId,
        "wiki.delete", "wiki:" + wikiId, "failed", new JsonObject().put("message", message)));
  }
}
