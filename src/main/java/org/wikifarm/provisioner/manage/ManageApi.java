package org.wikifarm.provisioner.manage;

import io.vertx.core.Vertx;
import java.time.Duration;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.store.PermissionStore;
import org.wikifarm.provisioner.store.WikiLocks;
import org.wikifarm.provisioner.store.WikiStore;

/** What a wiki's owner can change after it exists (SPEC §4.4 and {@code PATCH /wikis/{slug}}), wired once. */
public record ManageApi(Permissions permissions, WikiExtensions extensions, Favicons favicons, WikiSettings settings) {
  /**
   * How long a change waits for the changes queued before it on this node (then {@link WikiLocks} waits for
   * other nodes): long enough for a burst of saves from one manage page, short of a client's patience.
   */
  private static final Duration LOCAL_WAIT = Duration.ofSeconds(30);

  public static ManageApi create(Vertx vertx, AppConfig.Farm farm, WikiStore wikiStore,
      PermissionStore permissionStore, WikiLocks locks) {
    ManagedWikis wikis = new ManagedWikis(vertx, wikiStore, locks, LOCAL_WAIT);
    return new ManageApi(new Permissions(wikis, permissionStore, farm.configDir()),
        new WikiExtensions(wikis, farm.wikiDir(), farm.defaultTemplate()),
        new Favicons(wikis, farm.wikiDir()),
        new WikiSettings(wikis, wikiStore, farm.wikiDir()));
  }
}
