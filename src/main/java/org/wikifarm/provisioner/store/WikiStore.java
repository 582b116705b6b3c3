package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.DatabaseException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.wikifarm.provisioner.task.WikiStatus;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads and writes the extension's {@code wikifarm_wikis} / {@code wikifarm_tasks} tables. All SQL uses bound
 * parameters. MariaDB is the record of truth: the queue is simply the {@code queued} task rows.
 */
public final class WikiStore {
  private static final int DUPLICATE_KEY = 1062;
  /** The columns {@link #toWiki} reads, by position, in this order. */
  private static final List<String> COLUMNS = List.of("id", "name", "slug", "domain", "language", "owner_user_id",
      "owner_username", "visibility", "status", "is_featured", "created_at", "updated_at");
  private static final String WIKI_COLUMNS = String.join(", ", COLUMNS);
  private static final String JOINED_COLUMNS = String.join(", ", COLUMNS.stream().map(c -> "w." + c).toList());
  private static final String OWNER_LIST = "SELECT " + WIKI_COLUMNS + " FROM wikifarm_wikis WHERE owner_user_id = ? "
      + "ORDER BY created_at DESC, id DESC";
  private static final String OWNER_PUBLIC_LIST = "SELECT " + WIKI_COLUMNS + " FROM wikifarm_wikis "
      + "WHERE owner_user_id = ? AND visibility = 'public' ORDER BY created_at DESC, id DESC";
  private static final Comparator<Wiki> NEWEST_FIRST =
      Comparator.comparing(Wiki::createdAt).thenComparingLong(Wiki::id).reversed();

  private final Pool pool;

  public WikiStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * Inserts the pending wiki row and its queued task in one transaction. A concurrent duplicate slug is
   * rejected by the unique index (not by a racy pre-check) and surfaces as {@link SlugTakenException}.
   * {@code admission} runs inside the transaction after both inserts, just before the commit: when it fails,
   * nothing is written (that is how a rate limit counts only requests that would otherwise succeed).
   * Returns the new wiki id.
   *
   * <p>The pooled connection is held for two round trips, not four: BEGIN and both INSERTs are sent together
   * (pipelined, see {@link Pools}), then COMMIT. That works because the task row finds its wiki by
   * {@code LAST_INSERT_ID()} and the slug instead of waiting for the first INSERT's answer; when that INSERT
   * failed, the task INSERT matches no row (another wiki holds the slug), and everything is rolled back.
   */
  public Future<Long> createWikiAndTask(String taskId, NewWiki w, String spec, Supplier<Future<?>> admission) {
    return pool.withConnection(conn -> {
      Future<RowSet<Row>> begin = conn.query("BEGIN").execute();
      Future<RowSet<Row>> wiki = conn.preparedQuery("INSERT INTO wikifarm_wikis (name, slug, domain, language, "
              + "owner_user_id, owner_username, visibility, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')")
          .execute(Tuple.of(w.name(), w.slug(), w.domain(), w.language(), w.ownerUserId(),
              Buffer.buffer(w.ownerUsername()), w.visibility()));
      // the spec column exists only with the v2 migration; without it there is no spec to store
      Tuple values = Tuple.of(taskId, w.ownerUserId(), Buffer.buffer(w.ownerUsername()));
      Future<RowSet<Row>> task = conn.preparedQuery("INSERT INTO wikifarm_tasks (id, type, status, progress, "
              + "wiki_id, created_by_user_id, created_by_username" + (spec == null ? "" : ", spec") + ") "
              + "SELECT ?, 'create_wiki', 'queued', 0, id, ?, ?" + (spec == null ? "" : ", ?")
              + " FROM wikifarm_wikis WHERE slug = ? AND id = LAST_INSERT_ID()")
          .execute((spec == null ? values : values.addString(spec)).addString(w.slug()));
      return Future.all(begin, wiki, task)
          .compose(v -> task.result().rowCount() == 1 ? admission.get()
              : Future.failedFuture(new IllegalStateException("the task row of wiki " + w.slug() + " was not inserted")))
          .compose(v -> conn.query("COMMIT").execute())
          .map(v -> (long) wiki.result().property(io.vertx.mysqlclient.MySQLClient.LAST_INSERTED_ID))
          // a pooled connection must never go back with the transaction open
          .recover(e -> conn.query("ROLLBACK").execute().transform(ignored -> Future.failedFuture(e)));
    }).recover(e -> Future.failedFuture(
        e instanceof DatabaseException d && d.getErrorCode() == DUPLICATE_KEY ? new SlugTakenException(w.slug()) : e));
  }

  /**
   * Queues the delete of {@code slug}'s wiki, in one transaction on the wiki's locked session: the wiki row is
   * locked ({@code FOR UPDATE}) and checked — it exists, the caller owns it (when {@code ownerOnly}; the
   * operator may delete any wiki), it is {@code ready} or
   * {@code failed} and no task of it is queued or running — then it becomes {@code deleting} and the task row is
   * inserted ({@code delete_wiki}, queued, with the spec {@code specFor} makes from the id of the wiki's create
   * task, whose markers prove what is the wiki's; null when no such row is left). Fails with
   * {@link DeleteRefusedException}. Returns the wiki id.
   */
  public Future<Long> queueDeletion(WikiLocks.Held held, String taskId, String slug, long callerId,
      String callerName, boolean ownerOnly, Function<String, String> specFor) {
    return held.transaction(conn -> conn
        .preparedQuery("SELECT id, owner_user_id, status FROM wikifarm_wikis WHERE slug = ? FOR UPDATE")
        .execute(Tuple.of(slug))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new DeleteRefusedException(DeleteRefusedException.Reason.NOT_FOUND, slug, null));
          }
          Row wiki = rows.iterator().next();
          long wikiId = wiki.getLong("id");
          WikiStatus status = WikiStatus.fromWire(wiki.getString("status"));
          if (ownerOnly && wiki.getLong("owner_user_id") != callerId) {
            return Future.failedFuture(new DeleteRefusedException(DeleteRefusedException.Reason.NOT_OWNER, slug, null));
          }
          if (status != WikiStatus.READY && status != WikiStatus.FAILED) {
            return Future.failedFuture(new DeleteRefusedException(DeleteRefusedException.Reason.BUSY, slug, status));
          }
          return conn.preparedQuery("SELECT COUNT(*) FROM wikifarm_tasks WHERE wiki_id = ? "
                  + "AND status IN ('queued', 'running')").execute(Tuple.of(wikiId))
              .compose(active -> active.iterator().next().getLong(0) > 0
                  ? Future.failedFuture(new DeleteRefusedException(DeleteRefusedException.Reason.BUSY, slug, null))
                  : conn.preparedQuery("SELECT id FROM wikifarm_tasks WHERE wiki_id = ? AND type = 'create_wiki' "
                      + "ORDER BY created_at, id LIMIT 1").execute(Tuple.of(wikiId)))
              .compose(creator -> conn.preparedQuery("UPDATE wikifarm_wikis SET status = 'deleting' WHERE id = ?")
                  .execute(Tuple.of(wikiId))
                  .compose(v -> conn.preparedQuery("INSERT INTO wikifarm_tasks (id, type, status, progress, "
                          + "wiki_id, created_by_user_id, created_by_username, spec) "
                          + "VALUES (?, 'delete_wiki', 'queued', 0, ?, ?, ?, ?)")
                      .execute(Tuple.of(taskId, wikiId, callerId, Buffer.buffer(callerName),
                          specFor.apply(creator.size() == 0 ? null : creator.iterator().next().getString("id"))))))
              .map(wikiId);
        }));
  }

  /**
   * Ready public wikis, newest first; {@code featuredOnly} narrows to featured ones. Fetches one extra row to
   * know whether a next page exists. The page's ids are found first on the index alone (with the list indexes
   * of sql/migrations/20261127_wikifarm_wikis_list_indexes.sql: in order, no sort), then only the page's rows
   * are read; without those indexes the same query still answers. With {@code after} — a row of the same list
   * at a position before {@code offset}, remembered from an earlier page — the index is entered right after that
   * row ({@code (created_at, id)} seek) and only the rows between it and the page are skipped; null: from the top.
   */
  public Future<Page> listPublic(boolean featuredOnly, int limit, int offset, ListAnchor after) {
    boolean seek = after != null && after.position() < offset;
    String sql = "SELECT " + JOINED_COLUMNS + " FROM (SELECT id FROM wikifarm_wikis WHERE status = 'ready' "
        + "AND visibility = 'public'" + (featuredOnly ? " AND is_featured = 1" : "")
        // the range on created_at is what lets MariaDB start inside the index; the OR breaks its ties by id
        + (seek ? " AND created_at <= ? AND (created_at < ? OR id < ?)" : "")
        + " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?) page JOIN wikifarm_wikis w ON w.id = page.id";
    Tuple params;
    if (seek) {
      LocalDateTime at = LocalDateTime.ofInstant(after.createdAt(), ZoneOffset.UTC);
      params = Tuple.of(at, at, after.id(), limit + 1, offset - after.position() - 1);
    } else {
      params = Tuple.of(limit + 1, offset);
    }
    return pool.preparedQuery(sql).execute(params).map(rows -> {
      List<Wiki> wikis = toWikis(rows);
      wikis.sort(NEWEST_FIRST); // the join's order is not the page's; a few rows, sorted here for free
      boolean more = wikis.size() > limit;
      return new Page(more ? wikis.subList(0, limit) : wikis, more ? offset + limit : null);
    });
  }

  /** The row at {@code position} (0 = the newest) of a public list, as a place to seek from. */
  public record ListAnchor(int position, Instant createdAt, long id) {}

  public record Page(List<Wiki> wikis, Integer nextOffset) {
    /** The page's last row as an anchor, given the page's offset; null for an empty page. */
    public ListAnchor lastRow(int offset) {
      if (wikis.isEmpty()) {
        return null;
      }
      Wiki last = wikis.get(wikis.size() - 1);
      return new ListAnchor(offset + wikis.size() - 1, last.createdAt(), last.id());
    }
  }

  /** Every wiki of an owner (only its public ones when {@code publicOnly}), in any status, newest first. */
  public Future<List<Wiki>> listByOwner(long ownerUserId, boolean publicOnly) {
    return pool.preparedQuery(publicOnly ? OWNER_PUBLIC_LIST : OWNER_LIST)
        .execute(Tuple.of(ownerUserId)).map(WikiStore::toWikis);
  }

  /** The wiki holding {@code slug}, in any status, or null. */
  public Future<Wiki> findBySlug(String slug) {
    return findBySlug(pool, slug);
  }

  /** As {@link #findBySlug(String)}, read on a locked session (no second connection while holding the lock). */
  public Future<Wiki> findBySlug(WikiLocks.Held held, String slug) {
    return findBySlug(held.connection, slug);
  }

  private static Future<Wiki> findBySlug(SqlClient client, String slug) {
    return client.preparedQuery("SELECT " + WIKI_COLUMNS + " FROM wikifarm_wikis WHERE slug = ?")
        .execute(Tuple.of(slug)).map(rows -> rows.size() == 0 ? null : toWiki(rows.iterator().next()));
  }

  /**
   * Changes the name and/or visibility (null = keep) of a wiki in one transaction that first locks its row and
   * checks it is still {@code ready}. Returns the updated wiki, or null when it is no longer ready.
   */
  public Future<Wiki> updateIfReady(WikiLocks.Held held, long wikiId, String name, String visibility) {
    return held.transaction(conn -> lockIfReady(conn, wikiId).compose(ready -> !ready ? Future.succeededFuture()
        : conn.preparedQuery("UPDATE wikifarm_wikis SET name = COALESCE(?, name), "
                + "visibility = COALESCE(?, visibility) WHERE id = ?")
            .execute(Tuple.of(name, visibility, wikiId))
            .compose(updated -> conn.preparedQuery("SELECT " + WIKI_COLUMNS + " FROM wikifarm_wikis WHERE id = ?")
                .execute(Tuple.of(wikiId)))
            .map(rows -> toWiki(rows.iterator().next()))));
  }

  /**
   * Inside a transaction: locks the wiki's row until the commit ({@code FOR UPDATE}) and says whether it is
   * {@code ready}, so a change cannot commit against a wiki whose delete began meanwhile.
   */
  static Future<Boolean> lockIfReady(SqlConnection conn, long wikiId) {
    return conn.preparedQuery("SELECT status FROM wikifarm_wikis WHERE id = ? FOR UPDATE").execute(Tuple.of(wikiId))
        .map(rows -> rows.size() == 1 && WikiStatus.READY.wire().equals(rows.iterator().next().getString("status")));
  }

  /** Whether any wiki row, in any status, holds the slug. */
  public Future<Boolean> slugExists(String slug) {
    return pool.preparedQuery("SELECT 1 FROM wikifarm_wikis WHERE slug = ? LIMIT 1").execute(Tuple.of(slug))
        .map(rows -> rows.size() > 0);
  }

  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().mapEmpty();
  }

  private static List<Wiki> toWikis(RowSet<Row> rows) {
    List<Wiki> out = new ArrayList<>(rows.size());
    for (Row row : rows) {
      out.add(toWiki(row));
    }
    return out;
  }

  /** A row of {@link #COLUMNS}, in that order (read by position: no lookup of each column's name). */
  static Wiki toWiki(Row row) {
    return new Wiki(row.getLong(0), row.getString(1), row.getString(2), row.getString(3),
        row.getString(4), row.getLong(5), text(row, 6),
        row.getString(7), WikiStatus.fromWire(row.getString(8)), row.getInteger(9) != 0,
        utc(row.getLocalDateTime(10)), utc(row.getLocalDateTime(11)));
  }

  /** VARBINARY columns hold UTF-8 (MediaWiki's convention for user names). */
  static String text(Row row, String column) {
    return text(row, row.getColumnIndex(column));
  }

  private static String text(Row row, int column) {
    Object value = row.getValue(column);
    if (value == null) {
      return null;
    }
    if (value instanceof Buffer b) {
      return b.toString(StandardCharsets.UTF_8);
    }
    return value.toString();
  }

  static Instant utc(LocalDateTime t) {
    return t == null ? null : t.toInstant(ZoneOffset.UTC);
  }
}
