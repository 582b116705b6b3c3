package org.wikifarm.provisioner.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.wikifarm.provisioner.support.CallerContext;

/**
 * Answers kept for at most {@code ttl}, shared by every event loop of the node. However many requests ask for a
 * key at once, it is loaded once. Dropping a key also drops a load still in flight, so an answer read before a
 * change can never be kept after the change was announced; the time to live counts from the start of the load,
 * so nothing is served longer than {@code ttl} after it was read. A failed load is not kept. Zero {@code ttl}:
 * every call loads.
 */
final class ReadCache<K, V> {
  private record Entry<V>(Future<V> value, long expiresAtNanos) {
    boolean fresh(long now) {
      return expiresAtNanos - now > 0;
    }
  }

  private final ConcurrentHashMap<K, Entry<V>> entries = new ConcurrentHashMap<>();
  private final long ttlNanos;
  private final int maxEntries;

  /** @param maxEntries beyond this many keys (arbitrary slugs, offsets) answers are loaded but not kept */
  ReadCache(Duration ttl, int maxEntries) {
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = maxEntries;
  }

  /**
   * The kept answer for {@code key}, or the one {@code load} gives (called at most once per key and lifetime).
   * Callbacks run on the caller's context, also when another event loop started the load.
   */
  Future<V> get(K key, Supplier<Future<V>> load) {
    if (ttlNanos == 0) {
      return load.get();
    }
    long now = System.nanoTime();
    Entry<V> kept = entries.get(key);
    if (kept != null && kept.fresh(now)) {
      return CallerContext.relay(kept.value());
    }
    if (kept == null && entries.size() >= maxEntries) {
      return load.get();
    }
    Promise<V> mine = Promise.promise();
    Entry<V> candidate = new Entry<>(mine.future(), now + ttlNanos);
    Entry<V> winner = entries.compute(key, (k, current) -> current != null && current.fresh(now) ? current : candidate);
    if (winner != candidate) {
      return CallerContext.relay(winner.value());
    }
    Future<V> loaded = load.get();
    loaded.onComplete(mine);
    loaded.onFailure(e -> entries.remove(key, candidate));
    return loaded;
  }

  void remove(K key) {
    entries.remove(key);
  }

  void removeIf(Predicate<K> matches) {
    entries.keySet().removeIf(matches);
  }

  void clear() {
    entries.clear();
  }

  /** Forgets expired answers (called on a timer: keys nobody asks for again would stay otherwise). */
  void sweep() {
    long now = System.nanoTime();
    entries.values().removeIf(e -> !e.fresh(now));
  }
}
