package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.wikifarm.provisioner.support.Audit;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.WikiChange;

/**
 * The enqueue step of every task type, in one call each: the task's rows (one transaction, with its spec), then
 * the journal's first entry and the workers' wake-up, which every type shares. Whatever accepts requests (HTTP,
 * the CLI) calls this.
 */
public final class TaskQueue {
  /** Spec of a delete: the id of the wiki's create task, whose ownership markers the wiki's resources carry. */
  public static final String SPEC_CREATOR = "creator_task";
  /** Spec of a delete: the archive's directory name, fixed at request time so a resumed run reuses it. */
  public static final String SPEC_ARCHIVE = "archive";
  /** The audit actor and task creator of what the operator asks from the CLI. */
  public static final String OPERATOR = "operator";
  private static final String SOURCE = TaskQueue.class.getName();
  private static final Logger LOG = Logger.getLogger(SOURCE);
  private static final DateTimeFormatter ARCHIVE_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final WikiStore wikis;
  private final WikiLocks locks;
  private final EventJournal journal;
  private final EventBus bus;
  private final boolean durableSpec;

  /** @param durableSpec whether the v2 migration is applied, so the task row can hold the request's spec */
  public TaskQueue(WikiStore wikis, WikiLocks locks, EventJournal journal, EventBus bus, boolean durableSpec) {
    this.wikis = wikis;
    this.locks = locks;
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
          // logp: the source named here, so the formatter never walks the stack to find it (once per POST)
          LOG.logp(Level.INFO, SOURCE, "enqueue", "queued task " + taskId + " for wiki " + wikiId + " (slug "
              + wiki.slug() + ")");
          new WikiChange(wiki.slug(), wiki.ownerUserId()).publish(bus); // the slug is taken from now on
          return announce(taskId);
        });
  }

  /**
   * Queues the delete of {@code slug}'s wiki by its owner and returns the task id (SPEC §4, §6.2). Needs the v2
   * migration ({@code delete_wiki} and the spec column), else {@link MigrationRequiredException}. Takes the
   * wiki's lock ({@link WikiLocks}) so it never lands in the middle of a manage change; the rules are checked
   * in the transaction itself ({@link WikiStore#queueDeletion}), failing with {@link DeleteRefusedException}.
   */
  public Future<String> enqueueDeletion(String taskId, String slug, long callerId, String callerName) {
    return enqueueDeletion(taskId, slug, callerId, callerName, true, "user:" + callerId);
  }

  /**
   * As {@link #enqueueDeletion(String, String, long, String)} for the operator (the CLI's {@code wikis delete}):
   * any owner's wiki, every other rule the same. The task row names {@link #OPERATOR} as its creator (id 0).
   */
  public Future<String> enqueueDeletionByOperator(String taskId, String slug) {
    return enqueueDeletion(taskId, slug, 0, OPERATOR, false, OPERATOR);
  }

  private Future<String> enqueueDeletion(String taskId, String slug, long callerId, String callerName,
      boolean ownerOnly, String actor) {
    if (!durableSpec) {
      return Future.failedFuture(new MigrationRequiredException("deleting a wiki"));
    }
    String archive = slug + "-" + ARCHIVE_TIME.format(Instant.now());
    return locks.withLock(slug, held -> wikis.queueDeletion(held, taskId, slug, callerId, callerName, ownerOnly,
            creator -> new JsonObject().put(SPEC_CREATOR, creator).put(SPEC_ARCHIVE, archive).encode()))
        .recover(e -> Future.failedFuture(e instanceof WikiLocks.BusyException
            ? new DeleteRefusedException(DeleteRefusedException.Reason.BUSY, slug, null) : e))
        .compose(wikiId -> {
          LOG.logp(Level.INFO, SOURCE, "enqueueDeletion", "queued delete task " + taskId + " for wiki " + wikiId
              + " (slug " + slug + ")");
          Audit.record(actor, "wiki.delete", "wiki:" + slug, "queued", new JsonObject().put("task_id", taskId));
          new WikiChange(slug, ownerOnly ? callerId : null).publish(bus); // 'deleting': off the public lists
          return announce(taskId);
        });
  }

  /**
   * After the rows committed: the journal's first entry, written before any worker can see the task, so every
   * subscriber's history starts at 'queued' (a Redis outage only costs that entry); then the wake-up.
   */
  private Future<String> announce(String taskId) {
    return journal.append(taskId, TaskEvent.queued()).otherwiseEmpty().map(journalId -> {
      bus.publish(EventBusAddresses.TASKS_ENQUEUED, new JsonObject().put("task_id", taskId));
      return taskId;
    });
  }
}
