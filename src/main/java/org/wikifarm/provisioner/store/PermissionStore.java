package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code wikifarm_wiki_group_permissions} rows of a wiki (SPEC §3, §4.4): one row per group and
 * permission, {@code allowed} = 1 for a grant, 0 for a revoke. The rows are the record of truth; the
 * generated {@code permissions.php} is derived from them.
 */
public final class PermissionStore {
  private final Pool pool;

  public PermissionStore(Pool pool) {
    this.pool = pool;
  }

  /** One row. */
  public record Permission(String group, String permission, boolean allowed) {}

  public Future<List<Permission>> list(long wikiId) {
    return list(pool, wikiId);
  }

  /** The rows as the locked session sees them (after its own committed change). */
  public Future<List<Permission>> list(WikiLocks.Held held, long wikiId) {
    return list(held.connection, wikiId);
  }

  /**
   * Replaces every row of the wiki in one transaction, which first locks the wiki row and checks that the wiki
   * is still {@code ready} (a delete that started meanwhile wins: nothing is changed and the answer is false).
   */
  public Future<Boolean> replaceIfReady(WikiLocks.Held held, long wikiId, List<Permission> rows) {
    return held.transaction(conn -> WikiStore.lockIfReady(conn, wikiId).compose(ready -> {
      if (!ready) {
        return Future.succeededFuture(false);
      }
      return conn.preparedQuery("DELETE FROM wikifarm_wiki_group_permissions WHERE wiki_id = ?")
          .execute(Tuple.of(wikiId))
          .compose(deleted -> {
            if (rows.isEmpty()) {
              return Future.succeededFuture(true);
            }
            List<Tuple> batch = new ArrayList<>(rows.size());
            rows.forEach(r -> batch.add(Tuple.of(wikiId, r.group(), r.permission(), r.allowed() ? 1 : 0)));
            return conn.preparedQuery("INSERT INTO wikifarm_wiki_group_permissions "
                    + "(wiki_id, group_name, permission, allowed) VALUES (?, ?, ?, ?)")
                .executeBatch(batch).map(true);
          });
    }));
  }

  private static Future<List<Permission>> list(SqlClient client, long wikiId) {
    return client.preparedQuery("SELECT group_name, permission, allowed FROM wikifarm_wiki_group_permissions "
            + "WHERE wiki_id = ?")
        .execute(Tuple.of(wikiId)).map(PermissionStore::toPermissions);
  }

  private static List<Permission> toPermissions(RowSet<Row> rows) {
    List<Permission> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      out.add(new Permission(row.getString("group_name"), row.getString("permission"),
          row.getInteger("allowed") != 0));
    }
    return out;
  }
}
