package org.wikifarm.provisioner.worker;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.Orchestrator;
import org.wikifarm.provisioner.provision.WikiRequest;
import org.wikifarm.provisioner.store.TaskStore;
import org.wikifarm.provisioner.store.Wiki;

/**
 * {@code create_wiki}: builds from the template its spec names; success makes the wiki {@code ready}, a failure
 * that rolled back completely deletes the pending row (the slug is free again).
 */
public final class CreateWikiKind implements TaskKind {
  private final AppConfig.Farm farm;
  private final Orchestrator orchestrator;

  public CreateWikiKind(AppConfig.Farm farm, Orchestrator orchestrator) {
    this.farm = farm;
    this.orchestrator = orchestrator;
  }

  @Override
  public Orchestrator orchestrator() {
    return orchestrator;
  }

  @Override
  public WikiRequest request(String taskId, Wiki wiki, JsonObject spec) throws CannotRun {
    if (wiki == null) {
      throw new CannotRun("the task's wiki row is missing");
    }
    String templateName = spec.getString("template");
    Path template = farm.templateFor(templateName);
    if (template == null) {
      throw new CannotRun("template '" + templateName + "' is no longer configured; "
          + "add it to farm.templates or create the wiki with another template");
    }
    return new WikiRequest(taskId, wiki.id(), wiki.name(), wiki.slug(), wiki.language(), template);
  }

  @Override
  public Future<Void> succeed(TaskStore tasks, String taskId, long wikiId, String message) {
    return tasks.succeed(taskId, wikiId, message);
  }

  @Override
  public Future<Void> fail(TaskStore tasks, String taskId, Long wikiId, String message, boolean cleanedUp) {
    return tasks.fail(taskId, wikiId, message, cleanedUp);
  }
}
