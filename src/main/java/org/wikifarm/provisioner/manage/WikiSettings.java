package org.wikifarm.provisioner.manage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.logging.Logger;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.store.WikiStore;
import org.wikifarm.provisioner.support.AtomicFiles;
import org.wikifarm.provisioner.support.IniFile;

/**
 * {@code PATCH /wikis/{slug}} (SPEC §4): the owner changes the visibility (the row only) and/or the name (the row,
 * and {@code WIKI_SITE_NAME} / {@code WIKI_META_NAMESPACE} in the wiki's {@code pubwiki.ini}, encoded exactly as
 * phase 2 writes them, so LocalSettings.php reads them back the same way).
 *
 * <p>Order, under the wiki's lock: the new ini text is prepared first (a missing or unreadable ini fails before
 * anything changes), then the row is updated in one transaction, then the ini is replaced atomically. Should
 * that last write fail, the row holds the new name and the old ini is intact; the answer is a 500, and sending
 * the same PATCH again rewrites the ini (it is always rendered from the requested name).
 */
public final class WikiSettings {
  private static final Logger LOG = Logger.getLogger(WikiSettings.class.getName());
  private static final String INI = "pubwiki.ini";

  /** What to change; null keeps the current value. Validated by the caller (the name rules live in http). */
  public record Change(String name, String visibility) {}

  private final ManagedWikis wikis;
  private final WikiStore store;
  private final Path wikiRoot;

  public WikiSettings(ManagedWikis wikis, WikiStore store, Path wikiRoot) {
    this.wikis = wikis;
    this.store = store;
    this.wikiRoot = wikiRoot;
  }

  /** Applies the change; answers the updated wiki. */
  public Future<Wiki> apply(String slug, long callerId, Change change) {
    Path ini = wikiRoot.resolve(slug).resolve(INI);
    JsonObject details = new JsonObject();
    if (change.visibility() != null) {
      details.put("visibility", change.visibility());
    }
    if (change.name() != null) {
      details.put("name", change.name());
    }
    return wikis.change(slug, callerId, (held, wiki) -> wikis.blocking(() -> renamed(ini, change.name()))
        .compose(text -> store.updateIfReady(held, wiki.id(), change.name(), change.visibility())
            .compose(updated -> {
              if (updated == null) {
                return Future.failedFuture(ManagedWikis.noLongerReady(slug));
              }
              if (text == null) {
                return Future.succeededFuture(updated);
              }
              return wikis.blocking(() -> {
                AtomicFiles.write(ini, text, PosixFilePermissions.fromString("rw-r-----"));
                return updated;
              }).recover(e -> {
                LOG.warning("name of " + slug + " stored, but " + INI + " could not be rewritten: " + e);
                ManagedWikis.audit(callerId, "wiki.update", slug, "stored_ini_failed", details);
                return Future.failedFuture(new ManageException(500, "ini_not_written", "the new name is stored, "
                    + "but the wiki's pubwiki.ini could not be rewritten; send the same change again (the operator "
                    + "can find the cause in the service log)"));
              });
            })))
        .onSuccess(updated -> ManagedWikis.audit(callerId, "wiki.update", slug, "ok", details));
  }

  /** The ini's new bytes for {@code name}, or null when the name does not change. */
  private static byte[] renamed(Path ini, String name) throws Exception {
    if (name == null) {
      return null;
    }
    if (!Files.isRegularFile(ini, LinkOption.NOFOLLOW_LINKS)) {
      throw new ManageException(409, "wiki_dir_missing", "the wiki's pubwiki.ini is missing; the operator must "
          + "restore it before the name can change");
    }
    IniFile file;
    try {
      file = IniFile.load(ini);
    } catch (IniFile.IniFormatException e) {
      throw new ManageException(409, "ini_unreadable", "the wiki's pubwiki.ini cannot be edited safely ("
          + e.getMessage() + "); the operator must repair it");
    }
    file.set("WIKI_SITE_NAME", name);
    file.set("WIKI_META_NAMESPACE", name.replace(' ', '_')); // as phase 2 (render_ini) renders it
    return file.text().getBytes(StandardCharsets.UTF_8);
  }
}
