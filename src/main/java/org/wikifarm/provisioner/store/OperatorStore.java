package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.wikifarm.provisioner.task.TaskStatus;

/**
 * What the operator's command line reads and changes in MariaDB beyond the API's own paths: every task and
 * every wiki in any status, one task in full, and the featured flag. The row mapping is WikiStore's and
 * TaskStore's, so the CLI and the API never disagree about what a row means.
 */
public final class OperatorStore {
  private static final String TASK_COLUMNS = "t.id, t.type, t.status, t.progress, t.message, t.wiki_id, "
      + "t.created_by_user_id, t.created_by_username, t.created_at, t.started_at, t.finished_at, w.slug";

  private final Pool pool;

  public OperatorStore(Pool pool) {
    this.pool = pool;
  }

  /** A task row with what an operator needs next to it: its type, creator and the slug of its wiki. */
  public record TaskRow(Task task, String type, String wikiSlug, long createdById, String createdBy) {}

  /** The newest tasks first; only those in {@code status} when it is given. */
  public Future<List<TaskRow>> tasks(TaskStatus status, int limit) {
    String where = status == null ? "" : "WHERE t.status = ? ";
    Tuple args = status == null ? Tuple.of(limit) : Tuple.of(status.wire(), limit);
    return pool.preparedQuery("SELECT " + TASK_COLUMNS + " FROM wikifarm_tasks t LEFT JOIN wikifarm_wikis w "
            + "ON w.id = t.wiki_id " + where + "ORDER BY t.created_at DESC, t.id DESC LIMIT ?")
        .execute(args).map(rows -> {
          List<TaskRow> out = new ArrayList<>();
          rows.forEach(r -> out.add(toTaskRow(r)));
          return out;
        });
  }

  /** One task, or null. */
  public Future<TaskRow> task(String taskId) {
    return pool.preparedQuery("SELECT " + TASK_COLUMNS + " FROM wikifarm_tasks t LEFT JOIN wikifarm_wikis w "
            + "ON w.id = t.wiki_id WHERE t.id = ?")
        .execute(Tuple.of(taskId)).map(rows -> rows.size() == 0 ? null : toTaskRow(rows.iterator().next()));
  }

  /** Every wiki in any status, newest first. */
  public Future<List<Wiki>> wikis(int limit) {
    return pool.preparedQuery("SELECT id, name, slug, domain, language, owner_user_id, owner_username, visibility, "
            + "status, is_featured, created_at, updated_at FROM wikifarm_wikis ORDER BY created_at DESC, id DESC "
            + "LIMIT ?")
        .execute(Tuple.of(limit)).map(rows -> {
          List<Wiki> out = new ArrayList<>();
          rows.forEach(r -> out.add(WikiStore.toWiki(r)));
          return out;
        });
  }

  /** Sets the featured flag of the wiki holding {@code slug}; false when there is no such wiki. */
  public Future<Boolean> setFeatured(String slug, boolean featured) {
    return pool.preparedQuery("UPDATE wikifarm_wikis SET is_featured = ? WHERE slug = ?")
        .execute(Tuple.of(featured ? 1 : 0, slug))
        .compose(r -> r.rowCount() > 0 ? Future.succeededFuture(true)
            // an UPDATE that changes nothing counts no row: tell "already so" from "no such wiki"
            : pool.preparedQuery("SELECT 1 FROM wikifarm_wikis WHERE slug = ?").execute(Tuple.of(slug))
                .map(rows -> rows.size() > 0));
  }

  /** Status and end time of the given tasks (absent ids have no row), for pruning their Redis keys. */
  public Future<List<Task>> tasksById(List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
    return pool.preparedQuery("SELECT id, status, progress, message, wiki_id, created_at, started_at, finished_at "
            + "FROM wikifarm_tasks WHERE id IN (" + marks + ")")
        .execute(Tuple.wrap(new ArrayList<Object>(ids))).map(rows -> {
          List<Task> out = new ArrayList<>();
          rows.forEach(r -> out.add(TaskStore.toTask(r)));
          return out;
        });
  }

  /** The metadata database server's version string. */
  public Future<String> serverVersion() {
    return pool.query("SELECT VERSION()").execute().map(rows -> rows.iterator().next().getString(0));
  }

  /**
   * What the v2 schema migration adds and this database lacks: the column {@code wikifarm_tasks.spec} and the
   * task type {@code delete_wiki}. Empty when it is applied.
   */
  public Future<List<String>> missingV2Schema() {
    return pool.query("SELECT column_name AS c, column_type AS t FROM information_schema.columns "
            + "WHERE table_schema = DATABASE() AND table_name = 'wikifarm_tasks' AND column_name IN ('spec', 'type')")
        .execute().map(rows -> {
          boolean spec = false;
          boolean deleteType = false;
          for (Row r : rows) {
            spec |= r.getString("c").equalsIgnoreCase("spec");
            deleteType |= r.getString("c").equalsIgnoreCase("type") && r.getString("t").contains("'delete_wiki'");
          }
          List<String> missing = new ArrayList<>();
          if (!spec) {
            missing.add("column wikifarm_tasks.spec");
          }
          if (!deleteType) {
            missing.add("task type 'delete_wiki' in wikifarm_tasks.type");
          }
          return missing;
        });
  }

  private static TaskRow toTaskRow(Row r) {
    return new TaskRow(TaskStore.toTask(r), r.getString("type"), r.getString("slug"),
        r.getLong("created_by_user_id"), WikiStore.text(r, "created_by_username"));
  }
}
