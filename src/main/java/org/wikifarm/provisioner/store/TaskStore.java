package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.wikifarm.provisioner.task.TaskStatus;
import org.wikifarm.provisioner.task.TaskType;

/**
 * The task queue of record: {@code queued} rows in {@code wikifarm_tasks}. Claims use
 * {@code SELECT … FOR UPDATE SKIP LOCKED} plus a conditional UPDATE, so concurrent workers on any number of
 * nodes never claim the same row.
 */
public final class TaskStore {
  private static final int UNKNOWN_COLUMN = 1054;
  private final Pool pool;

  public TaskStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Task> find(String taskId) {
    return pool.preparedQuery("SELECT id, status, progress, message, wiki_id, created_at, started_at, finished_at "
            + "FROM wikifarm_tasks WHERE id = ?")
        .execute(Tuple.of(taskId))
        .map(rows -> rows.size() == 0 ? null : toTask(rows.iterator().next()));
  }

  /** Claims the oldest queued task of any type, or yields null when the queue is empty. */
  public Future<ClaimedTask> claimQueued() {
    return pool.withTransaction(conn -> conn
        .preparedQuery("SELECT id, type FROM wikifarm_tasks WHERE status = 'queued' ORDER BY created_at, id "
            + "LIMIT 1 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.tuple())
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          ClaimedTask claimed = toClaimed(rows.iterator().next());
          return conn.preparedQuery("UPDATE wikifarm_tasks SET status = 'running', started_at = UTC_TIMESTAMP(), "
                  + "message = NULL WHERE id = ? AND status = 'queued'")
              .execute(Tuple.of(claimed.id()))
              .map(updated -> updated.rowCount() == 1 ? claimed : null);
        }));
  }

  /** Claims one given queued task (the CLI runs the task it queued); false when it is not queued any more. */
  public Future<Boolean> claim(String taskId) {
    return pool.preparedQuery("UPDATE wikifarm_tasks SET status = 'running', started_at = UTC_TIMESTAMP(), "
            + "message = NULL WHERE id = ? AND status = 'queued'")
        .execute(Tuple.of(taskId))
        .map(updated -> updated.rowCount() == 1);
  }

  /** How many tasks wait in the queue (all nodes'): one indexed COUNT, for the queue-depth gauge. */
  public Future<Long> countQueued() {
    return pool.query("SELECT COUNT(*) FROM wikifarm_tasks WHERE status = 'queued'").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /**
   * Running tasks started more than {@code grace} ago: candidates for recovery when their lease is gone. The
   * grace keeps a task that was claimed a moment ago, but whose lease is still being written, out of reach.
   */
  public Future<List<ClaimedTask>> runningStartedBefore(Duration grace, int limit) {
    return pool.preparedQuery("SELECT id, type FROM wikifarm_tasks WHERE status = 'running' "
            + "AND started_at < UTC_TIMESTAMP() - INTERVAL ? SECOND ORDER BY started_at LIMIT ?")
        .execute(Tuple.of(Math.max(1, grace.toSeconds()), limit))
        .map(rows -> {
          List<ClaimedTask> tasks = new ArrayList<>();
          rows.forEach(r -> tasks.add(toClaimed(r)));
          return tasks;
        });
  }

  private static ClaimedTask toClaimed(Row row) {
    return new ClaimedTask(row.getString("id"), TaskType.fromWire(row.getString("type")));
  }

  /**
   * The request extras stored in the task row ({@code spec}, v2 migration): an empty object when the row has
   * none, null when the column does not exist (the migration is not applied).
   */
  public Future<JsonObject> specOf(String taskId) {
    return pool.preparedQuery("SELECT spec FROM wikifarm_tasks WHERE id = ?").execute(Tuple.of(taskId))
        .map(rows -> {
          String spec = rows.size() == 0 ? null : rows.iterator().next().getString("spec");
          return spec == null ? new JsonObject() : new JsonObject(spec);
        })
        .recover(e -> e instanceof DatabaseException d && d.getErrorCode() == UNKNOWN_COLUMN
            ? Future.succeededFuture(null) : Future.failedFuture(e));
  }

  /** What the worker needs to build the wiki: the wiki row of a task. */
  public Future<Wiki> wikiOf(String taskId) {
    return pool.preparedQuery("SELECT w.id, w.name, w.slug, w.domain, w.language, w.owner_user_id, w.owner_username, "
            + "w.visibility, w.status, w.is_featured, w.created_at, w.updated_at FROM wikifarm_tasks t "
            + "JOIN wikifarm_wikis w ON w.id = t.wiki_id WHERE t.id = ?")
        .execute(Tuple.of(taskId))
        .map(rows -> rows.size() == 0 ? null : WikiStore.toWiki(rows.iterator().next()));
  }

  /** Persists progress of a running task; progress never goes backwards. */
  public Future<Void> progress(String taskId, int progress, String message) {
    return pool.preparedQuery("UPDATE wikifarm_tasks SET progress = GREATEST(progress, ?), message = ? "
            + "WHERE id = ? AND status = 'running'")
        .execute(Tuple.of(progress, truncate(message), taskId)).mapEmpty();
  }

  /** The wiki is ready and the task succeeded, in one transaction. */
  public Future<Void> succeed(String taskId, long wikiId, String message) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("UPDATE wikifarm_wikis SET status = 'ready' WHERE id = ?").execute(Tuple.of(wikiId))
        .compose(v -> conn.preparedQuery("UPDATE wikifarm_tasks SET status = 'succeeded', progress = 100, "
                + "message = ?, finished_at = UTC_TIMESTAMP() WHERE id = ?")
            .execute(Tuple.of(truncate(message), taskId)))
        .mapEmpty());
  }

  /**
   * The task failed. When rollback removed everything, the pending wiki row is deleted so the slug is free
   * again (the task keeps its row; its wiki_id becomes NULL by the foreign key); when something is left,
   * the row stays as {@code failed} so nobody reuses the slug before an operator cleans up.
   */
  public Future<Void> fail(String taskId, Long wikiId, String message, boolean cleanedUp) {
    return pool.withTransaction(conn -> {
      Future<RowSet<Row>> wiki = wikiId == null ? Future.succeededFuture()
          : cleanedUp
              ? conn.preparedQuery("DELETE FROM wikifarm_wikis WHERE id = ? AND status = 'pending'").execute(Tuple.of(wikiId))
              : conn.preparedQuery("UPDATE wikifarm_wikis SET status = 'failed' WHERE id = ?").execute(Tuple.of(wikiId));
      return wiki.compose(v -> conn.preparedQuery("UPDATE wikifarm_tasks SET status = 'failed', message = ?, "
              + "finished_at = UTC_TIMESTAMP() WHERE id = ?").execute(Tuple.of(truncate(message), taskId)))
          .mapEmpty();
    });
  }

  /**
   * A delete task succeeded: the wiki row goes (its slug is free again; the task keeps its row, its wiki_id
   * becomes NULL by the foreign key, and the permission rows go by theirs) and the task is succeeded, in one
   * transaction. Only a row still {@code deleting} is removed.
   */
  public Future<Void> succeedDeletion(String taskId, long wikiId, String message) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("DELETE FROM wikifarm_wikis WHERE id = ? AND status = 'deleting'").execute(Tuple.of(wikiId))
        .compose(v -> conn.preparedQuery("UPDATE wikifarm_tasks SET status = 'succeeded', progress = 100, "
                + "message = ?, finished_at = UTC_TIMESTAMP() WHERE id = ?")
            .execute(Tuple.of(truncate(message), taskId)))
        .mapEmpty());
  }

  /**
   * A delete task failed: nothing is rolled back (what was deleted stays deleted), the wiki becomes
   * {@code failed} — deletable again by a new DELETE — and the task's message lists what remains.
   */
  public Future<Void> failDeletion(String taskId, Long wikiId, String message) {
    return pool.withTransaction(conn -> (wikiId == null ? Future.<RowSet<Row>>succeededFuture()
            : conn.preparedQuery("UPDATE wikifarm_wikis SET status = 'failed' WHERE id = ? AND status = 'deleting'")
                .execute(Tuple.of(wikiId)))
        .compose(v -> conn.preparedQuery("UPDATE wikifarm_tasks SET status = 'failed', message = ?, "
            + "finished_at = UTC_TIMESTAMP() WHERE id = ?").execute(Tuple.of(truncate(message), taskId)))
        .mapEmpty());
  }

  static Task toTask(Row row) {
    return new Task(row.getString("id"), TaskStatus.fromWire(row.getString("status")), row.getInteger("progress"),
        row.getString("message"), row.getLong("wiki_id"), WikiStore.utc(row.getLocalDateTime("created_at")),
        WikiStore.utc(row.getLocalDateTime("started_at")), WikiStore.utc(row.getLocalDateTime("finished_at")));
  }

  private static String truncate(String message) {
    return message == null || message.length() <= 4000 ? message : message.substring(0, 4000) + "…";
  }
}
