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
  private final EventJournal journal;
  private final EventBus bus;
  private final boolean durableSpec;

  /** @param durableSpec whether the v2 migration is applied, so the task row can hold the request's spec */
  public TaskQueue(WikiStore wikis, EventJournal journal, EventBus bus, boolean durableSpec) {
    this.wikis = wikis;
    this.journal = journal;
    this.bus = bus;
    this.durableSpec = durableSpec;
  }

  /**
   * Queues a create task and returns its id. The request's extras (the template name) go into the task row
   * with it, in the same transaction, so nothing but MariaDB decides what is built; without the v2 migration a
   * named template is refused with {@link MigrationRequiredException} (the default template needs no extras).
   * {@code admission} runs just before the rows commit and can still refuse (see
   * {@link WikiStore#createWikiAndTask}). Fails with {@link SlugTakenException} when the slug is held.
   */
  public Future<String> enqueue(String taskId, NewWiki wiki, Supplier<Future<?>> admission) {
    if (!durableSpec && wiki.template() != null) {
      return Future.failedFuture(new MigrationRequiredException("creating a wiki from a named template"));
    }
    String spec = !durableSpec ? null
        : (wiki.template() == null ? new JsonObject() : new JsonObject().put("template", wiki.template())).encode();
    return wikis.createWikiAndTask(taskId, wiki, spec, admission)
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
