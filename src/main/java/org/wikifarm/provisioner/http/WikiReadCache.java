package org.wikifarm.provisioner.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.function.Function;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.store.WikiStore;
import org.wikifarm.provisioner.store.WikiStore.ListAnchor;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.WikiChange;

/**
 * This node's cache of the read endpoints' answers (encoded bodies, written as they are), kept consistent across
 * the cluster by {@link EventBusAddresses#WIKIS_CHANGED}: every node drops what a change names the moment it
 * hears of it, and {@code http.read-cache-ttl} bounds what no event reports (the CLI's changes, SQL run by
 * hand). Nothing here depends on who asks: an owner's full list and the public view of it are different keys,
 * and a single wiki is kept with its owner and visibility so every request is checked on its own.
 */
public final class WikiReadCache {
  /*
   * Keys per kind beyond which answers are served but not kept, so a crawl of every offset or of random slugs
   * cannot fill the heap: pages weigh up to ~35 KB (limit 100), an owner list ~7 KB for 20 wikis, a slug answer
   * or one wiki well under 1 KB. Worst case some 35 + 35 + 10 MB; what visitors really ask for is far less.
   */
  private static final int MAX_PAGES = 1_000;
  private static final int MAX_OWNERS = 5_000;
  private static final int MAX_SLUGS = 20_000;

  record PageKey(boolean featuredOnly, int limit, int offset) {}

  record OwnerKey(long ownerUserId, boolean publicOnly) {}

  /** One wiki's encoded JSON and what decides who may see it; null wiki when the slug is free. */
  record Shown(Wiki wiki, Buffer body) {}

  final ReadCache<PageKey, Buffer> pages;
  final ReadCache<OwnerKey, Buffer> owners;
  final ReadCache<String, Buffer> slugChecks;
  final ReadCache<String, Shown> wikis;
  private final ListAnchors featuredAnchors;
  private final ListAnchors publicAnchors;
  private final Vertx vertx;
  private MessageConsumer<JsonObject> consumer;
  private long sweeper = -1;

  private WikiReadCache(Vertx vertx, Duration ttl) {
    this.vertx = vertx;
    this.pages = new ReadCache<>(ttl, MAX_PAGES);
    this.owners = new ReadCache<>(ttl, MAX_OWNERS);
    this.slugChecks = new ReadCache<>(ttl, MAX_SLUGS);
    this.wikis = new ReadCache<>(ttl, MAX_SLUGS);
    this.featuredAnchors = new ListAnchors(ttl);
    this.publicAnchors = new ListAnchors(ttl);
  }

  /**
   * Starts listening for changes; completes once this node's subscription is known to the cluster, so a change
   * made on another node after this node serves requests always reaches it. Zero {@code ttl}: no cache at all.
   */
  public static Future<WikiReadCache> start(Vertx vertx, Duration ttl) {
    WikiReadCache cache = new WikiReadCache(vertx, ttl);
    if (ttl.isZero()) {
      return Future.succeededFuture(cache);
    }
    cache.consumer = vertx.eventBus().consumer(EventBusAddresses.WIKIS_CHANGED,
        message -> cache.drop(WikiChange.fromJson(message.body())));
    cache.sweeper = vertx.setPeriodic(Math.max(1000, ttl.toMillis()), id -> cache.sweep());
    return cache.consumer.completion().map(cache);
  }

  /**
   * A public page, kept or read; a read seeks from the nearest row an earlier page of the same list revealed
   * and leaves the page's last row for the next one.
   */
  Future<Buffer> page(boolean featuredOnly, int limit, int offset,
      Function<ListAnchor, Future<WikiStore.Page>> read, Function<WikiStore.Page, Buffer> encode) {
    return pages.get(new PageKey(featuredOnly, limit, offset), () -> {
      ListAnchors anchors = featuredOnly ? featuredAnchors : publicAnchors;
      long generation = anchors.generation();
      long started = System.nanoTime();
      return read.apply(anchors.before(offset)).map(page -> {
        anchors.learn(generation, started, page.lastRow(offset));
        return encode.apply(page);
      });
    });
  }

  /** Drops every answer the change can have altered. */
  void drop(WikiChange change) {
    // any change of a row can move a public page, and every row's position
    featuredAnchors.clear();
    publicAnchors.clear();
    pages.clear();
    if (change.slug() == null) {
      slugChecks.clear();
      wikis.clear();
    } else {
      slugChecks.remove(change.slug());
      wikis.remove(change.slug());
    }
    if (change.ownerUserId() == null) {
      owners.clear();
    } else {
      long owner = change.ownerUserId();
      owners.removeIf(key -> key.ownerUserId() == owner);
    }
  }

  private void sweep() {
    featuredAnchors.sweep();
    publicAnchors.sweep();
    pages.sweep();
    owners.sweep();
    slugChecks.sweep();
    wikis.sweep();
  }

  public Future<Void> close() {
    if (sweeper >= 0) {
      vertx.cancelTimer(sweeper);
    }
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
