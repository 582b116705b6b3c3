package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * A per-wiki lock that holds across nodes: MariaDB's named lock {@code GET_LOCK('wikifarm-manage-<slug>')},
 * taken on a connection that stays checked out for the whole change. The work gets that same connection (as an
 * opaque {@link Held}) for its transaction, so a change never needs a second pooled connection while holding
 * the lock (waiters holding the other connections could otherwise starve it). The server releases the lock when
 * the session ends, so a node that dies mid-change never leaves it taken.
 */
public final class WikiLocks {
  private static final Logger LOG = Logger.getLogger(WikiLocks.class.getName());
  private static final String PREFIX = "wikifarm-manage-";

  /** How long a change waits for another node's change to the same wiki (each takes milliseconds). */
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final Pool pool;

  public WikiLocks(Pool pool) {
    this.pool = pool;
  }

  /** The locked session; only store classes can use its connection. */
  public static final class Held {
    final SqlConnection connection;

    private Held(SqlConnection connection) {
      this.connection = connection;
    }

    /** Runs {@code body} in one transaction on the locked connection: committed when it succeeds, else rolled back. */
    <T> Future<T> transaction(Function<SqlConnection, Future<T>> body) {
      return connection.begin().compose(tx -> guarded(() -> body.apply(connection)).transform(outcome ->
          outcome.succeeded() ? tx.commit().map(outcome.result())
              : tx.rollback().transform(ignored -> Future.<T>failedFuture(outcome.cause()))));
    }
  }

  /** Another change to the wiki held the lock for longer than the wait. */
  public static final class BusyException extends RuntimeException {
    public BusyException(String slug) {
      super("another change to the wiki '" + slug + "' is in progress", null, false, false);
    }
  }

  /**
   * Runs {@code work} while holding the wiki's lock; fails with {@link BusyException} when the lock is not
   * obtained within the wait. The lock is released (and the connection returned) when the work's future ends.
   */
  public <T> Future<T> withLock(String slug, Function<Held, Future<T>> work) {
    String name = PREFIX + slug; // slugs are ≤ 32 chars of [a-z0-9-]: within GET_LOCK's 64-character limit
    return pool.getConnection().compose(conn -> conn.preparedQuery("SELECT GET_LOCK(?, ?)")
        .execute(Tuple.of(name, WAIT.toSeconds()))
        .compose(rows -> {
          Object got = rows.iterator().next().getValue(0);
          if (!(got instanceof Number n) || n.intValue() != 1) {
            return Future.<T>failedFuture(new BusyException(slug));
          }
          // the work's own outcome is the answer; the release runs after it, whatever it was
          return guarded(() -> work.apply(new Held(conn))).eventually(() -> release(conn, name));
        })
        .eventually(conn::close));
  }

  /** A callback that throws instead of failing its future still ends in the cleanup path. */
  private static <T> Future<T> guarded(Supplier<Future<T>> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * Releases the lock before the connection goes back to the pool (returning it still locked would keep the
   * wiki locked for as long as the pooled session lives). A failure here means the session is broken, and
   * the server drops the lock with it.
   */
  private static Future<Void> release(SqlConnection conn, String name) {
    return conn.preparedQuery("SELECT RELEASE_LOCK(?)").execute(Tuple.of(name)).<Void>mapEmpty()
        .recover(e -> {
          LOG.warning("RELEASE_LOCK(" + name + ") failed (the server releases it with the session): " + e);
          return Future.succeededFuture();
        });
  }
}
