package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.wikifarm.provisioner.task.TaskStatus;
import org.wikifarm.provisioner.task.WikiStatus;

/**
 * The rows {@code reconcile} weighs the farm's resources against: the tasks their ownership proofs name (with the
 * wiki row each still points at) and every wiki row.
 */
public final class ResourceOwners {
  /** MariaDB takes far more placeholders; this keeps one statement small however many resources there are. */
  private static final int BATCH = 500;

  private final Pool pool;

  public ResourceOwners(Pool pool) {
    this.pool = pool;
  }

  /**
   * A task named by a proof: its status, and the slug and status of the wiki row its {@code wiki_id} points at
   * (both null when there is none: the row was deleted after a clean rollback or a finished deletion).
   */
  public record Owner(TaskStatus status, String wikiSlug, WikiStatus wikiStatus) {}

  /** The tasks of {@code taskIds} that have a row; ids without one are absent from the map. */
  public Future<Map<String, Owner>> owners(List<String> taskIds) {
    Map<String, Owner> owners = new HashMap<>();
    Future<Void> done = Future.succeededFuture();
    for (int from = 0; from < taskIds.size(); from += BATCH) {
      List<String> batch = taskIds.subList(from, Math.min(taskIds.size(), from + BATCH));
      done = done.compose(v -> ownersOf(batch, owners));
    }
    return done.map(v -> owners);
  }

  private Future<Void> ownersOf(List<String> ids, Map<String, Owner> into) {
    String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
    return pool.preparedQuery("SELECT t.id, t.status, w.slug, w.status AS wiki_status FROM wikifarm_tasks t "
            + "LEFT JOIN wikifarm_wikis w ON w.id = t.wiki_id WHERE t.id IN (" + marks + ")")
        .execute(Tuple.wrap(new ArrayList<Object>(ids))).map(rows -> {
          rows.forEach(r -> {
            String wikiStatus = r.getString("wiki_status");
            into.put(r.getString("id"), new Owner(TaskStatus.fromWire(r.getString("status")), r.getString("slug"),
                wikiStatus == null ? null : WikiStatus.fromWire(wikiStatus)));
          });
          return null;
        });
  }

  /** Every wiki row's slug and status. */
  public Future<Map<String, WikiStatus>> wikis() {
    return pool.query("SELECT slug, status FROM wikifarm_wikis").execute().map(rows -> {
      Map<String, WikiStatus> wikis = new HashMap<>();
      rows.forEach(r -> wikis.put(r.getString("slug"), WikiStatus.fromWire(r.getString("status"))));
      return wikis;
    });
  }
}
