package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.logging.Logger;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.TaskEvent;
import java.util.function.Supplier;

/**
 * The enqueue step of a create, in one call: the task's extras, the wiki and task rows (one transaction), the
 * journal's first entry and the workers' wake-up. Whatever accepts requests (HTTP, the CLI) calls this.
 */
public final class TaskQueue {
  private static final Logger LOG = Logger.getLogger(TaskQueue.class.getName());

  private final WikiStore wikis;
  private final TaskSpecs specs;
  private final EventJournal journal;
  private final EventBus bus;

  public TaskQueue(WikiStore wikis, TaskSpecs specs, EventJournal journal, EventBus bus) {
    this.wikis = wikis;
    this.specs = specs;
    this.journal = journal;
    this.bus = bus;
  }

  /**
   * Queues a create task and returns its id. Without a named template there are no extras to lose, so a Redis
   * outage does not block creation; with one, it must be stored first or the wiki would be built from the
   * wrong template. {@code admission} runs just before the rows commit and can still refuse (see
   * {@link WikiStore#createWikiAndTask}). Fails with {@link SlugTakenException} when the slug is held.
   */
  public Future<String> enqueue(String taskId, NewWiki wiki, Supplier<Future<?>> admission) {
    Future<Void> extras = wiki.template() == null ? Future.succeededFuture()
        : specs.put(taskId, new JsonObject().put("template", wiki.template()))
            .recover(e -> Future.failedFuture(new StoreUnavailableException(
                "Redis is unavailable, so a wiki with a named template cannot be queued; retry shortly", e)));
    return extras
        .compose(v -> wikis.createWikiAndTask(taskId, wiki, admission))
        .compose(wikiId -> {
          LOG.info("queued task " + taskId + " for wiki " + wikiId + " (slug " + wiki.slug() + ")");
          // the journal's first entry, written before any worker can see the task, so every subscriber's
          // history starts at 'queued'; a Redis outage only costs that entry
          return journal.append(taskId, TaskEvent.queued()).otherwiseEmpty();
        })
        .map(journalId -> {
          bus.publish(EventBusAddresses.TASKS_ENQUEUED, new JsonObject().put("task_id", taskId));
          return taskId;
        });
  }
}
