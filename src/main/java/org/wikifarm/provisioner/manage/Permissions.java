package org.wikifarm.provisioner.manage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.wikifarm.provisioner.store.PermissionStore;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.store.WikiLocks;

/**
 * A wiki's group permissions: the rows of {@code wikifarm_wiki_group_permissions} and the generated
 * {@code permissions.php}, kept equal under one rule — <b>the rows are the truth and the file is always
 * regenerated from them</b>.
 *
 * <ul>
 *   <li>A change (POST), under the wiki's lock: the rows are replaced in one transaction, then the file is
 *       replaced atomically from the same set. A failed file write leaves the previous file intact and the
 *       answer is a 500 saying the set was stored.</li>
 *   <li>Recovery: a crash or failure between the commit and the rename leaves rows newer than the file. Every
 *       GET compares the file with the rendering of the rows (a byte comparison) and, when it is missing or
 *       different, rewrites it under the lock. The next POST rewrites it in any case.</li>
 * </ul>
 */
public final class Permissions {
  private static final Logger LOG = Logger.getLogger(Permissions.class.getName());

  private final ManagedWikis wikis;
  private final PermissionStore store;
  private final Path configDir;

  public Permissions(ManagedWikis wikis, PermissionStore store, Path configDir) {
    this.wikis = wikis;
    this.store = store;
    this.configDir = configDir;
  }

  /** The stored set; the file is repaired first when it does not match it. */
  public Future<PermissionSet> get(String slug, long callerId) {
    Path file = PermissionsFile.path(configDir, slug);
    return wikis.readable(slug, callerId)
        .compose(wiki -> store.list(wiki.id()))
        .map(PermissionSet::fromRows)
        .compose(set -> wikis.blocking(() -> PermissionsFile.isCurrent(file, set))
            .compose(current -> current ? Future.succeededFuture(set) : repair(slug, callerId, file)));
  }

  /** Replaces the whole set (rows, then file); answers the stored set. */
  public Future<PermissionSet> replace(String slug, long callerId, PermissionSet set) {
    Path file = PermissionsFile.path(configDir, slug);
    // the whole new set (names only, nothing secret), so the log says what the wiki's rights became
    JsonObject details = set.toJson().put("entries", set.size());
    return wikis.change(slug, callerId, (held, wiki) -> store.replaceIfReady(held, wiki.id(), set.toRows())
        .compose(ready -> {
          if (!ready) {
            return Future.failedFuture(ManagedWikis.noLongerReady(slug));
          }
          return wikis.blocking(() -> {
            PermissionsFile.write(file, set);
            return set;
          }).recover(e -> {
            LOG.warning("permissions of " + slug + " stored, but " + PermissionsFile.FILE_NAME
                + " could not be written (the next GET or POST rewrites it): " + e);
            ManagedWikis.audit(callerId, "permissions.replace", slug, "stored_file_failed", details);
            return Future.failedFuture(fileNotWritten());
          });
        }))
        .onSuccess(stored -> ManagedWikis.audit(callerId, "permissions.replace", slug, "ok", details));
  }

  /** Rewrites the file from the rows as they are under the lock (they may have changed since the check). */
  private Future<PermissionSet> repair(String slug, long callerId, Path file) {
    return wikis.change(slug, callerId, (WikiLocks.Held held, Wiki wiki) -> store.list(held, wiki.id())
        .map(PermissionSet::fromRows)
        .compose(set -> wikis.blocking(() -> {
          if (PermissionsFile.isCurrent(file, set)) {
            return set;
          }
          PermissionsFile.write(file, set);
          ManagedWikis.audit(callerId, "permissions.repair", slug, "ok", new JsonObject()
              .put("reason", "permissions.php was missing or older than the stored rows"));
          return set;
        }).recover(e -> {
          LOG.warning(PermissionsFile.FILE_NAME + " of " + slug + " is stale and could not be rewritten: " + e);
          return Future.failedFuture(fileNotWritten());
        })));
  }

  private static ManageException fileNotWritten() {
    return new ManageException(500, "permissions_file_not_written", "the permissions are stored, but the wiki's "
        + "permissions.php could not be written; the previous file is still in effect and is rewritten from the "
        + "stored permissions by the next GET or POST (the operator can find the cause in the service log)");
  }
}
