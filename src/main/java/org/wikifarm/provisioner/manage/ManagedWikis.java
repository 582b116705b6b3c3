package org.wikifarm.provisioner.manage;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Lock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.store.WikiLocks;
import org.wikifarm.provisioner.store.WikiStore;
import org.wikifarm.provisioner.support.Audit;
import org.wikifarm.provisioner.task.WikiStatus;

/**
 * The rules every manage call shares (SPEC §4.4): the wiki exists (404), the caller owns it (403
 * {@code not_owner}), it is {@code ready} (409; a wiki being deleted included) — and the way changes to one
 * wiki serialize: first a lock local to this node (so queued requests do not each hold a pooled connection
 * while they wait), then MariaDB's named lock across nodes ({@link WikiLocks}). The rules are checked again
 * under the lock, since the wiki may have changed while the request waited.
 */
public final class ManagedWikis {
  private final Vertx vertx;
  private final WikiStore wikis;
  private final WikiLocks locks;
  private final Duration wait;

  public ManagedWikis(Vertx vertx, WikiStore wikis, WikiLocks locks, Duration wait) {
    this.vertx = vertx;
    this.wikis = wikis;
    this.locks = locks;
    this.wait = wait;
  }

  /** The wiki, for reading by its owner. */
  public Future<Wiki> readable(String slug, long callerId) {
    return wikis.findBySlug(slug).map(wiki -> check(wiki, slug, callerId));
  }

  /** Runs {@code work} with the wiki (checked under the lock) while holding the wiki's lock. */
  public <T> Future<T> change(String slug, long callerId, BiFunction<WikiLocks.Held, Wiki, Future<T>> work) {
    // check before queueing too: a stranger or a missing slug never waits behind the owner's changes
    return readable(slug, callerId).compose(ignored -> vertx.sharedData()
        .getLocalLockWithTimeout("wikifarm-manage-" + slug, wait.toMillis())
        .recover(e -> Future.failedFuture(busy(slug)))
        .compose(local -> locks.withLock(slug, held -> wikis.findBySlug(held, slug)
                .compose(wiki -> work.apply(held, check(wiki, slug, callerId))))
            .recover(e -> Future.failedFuture(e instanceof WikiLocks.BusyException ? busy(slug) : e))
            .andThen(done -> local.release())));
  }

  /** Runs file-system work on a worker thread (never on the event loop), unordered: each call is independent. */
  <T> Future<T> blocking(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }

  /** One audit line for a change by the owner (SPEC §8). */
  static void audit(long callerId, String action, String slug, String outcome, JsonObject details) {
    Audit.record("user:" + callerId, action, "wiki:" + slug, outcome, details);
  }

  private static Wiki check(Wiki wiki, String slug, long callerId) {
    if (wiki == null) {
      throw new ManageException(404, "not_found", "no wiki with the slug '" + slug + "'");
    }
    if (wiki.ownerUserId() != callerId) {
      throw new ManageException(403, "not_owner", "only the owner of '" + slug + "' can manage it");
    }
    if (wiki.status() != WikiStatus.READY) {
      throw notReady(slug, wiki.status());
    }
    return wiki;
  }

  static ManageException notReady(String slug, WikiStatus status) {
    String why = status == WikiStatus.DELETING ? "is being deleted" : "is not ready (" + status.wire() + ")";
    return new ManageException(409, "wiki_not_ready", "the wiki '" + slug + "' " + why + "; only ready wikis "
        + "can be managed", new JsonObject().put("status", status.wire()));
  }

  /** A change that lost a race with a concurrent status change (seen only inside the transaction). */
  static ManageException noLongerReady(String slug) {
    return new ManageException(409, "wiki_not_ready", "the wiki '" + slug + "' stopped being ready (e.g. its "
        + "delete began); nothing was changed");
  }

  private static ManageException busy(String slug) {
    return new ManageException(409, "wiki_busy", "another change to the wiki '" + slug + "' is taking too long; "
        + "retry shortly");
  }
}
