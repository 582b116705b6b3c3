package org.wikifarm.provisioner.http;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.wikifarm.provisioner.store.WikiStore.ListAnchor;

/**
 * Rows of one public list whose positions earlier pages revealed, so a deeper page seeks from the nearest one
 * instead of skipping every row above it. Positions hold only while the list is unchanged: a change event drops
 * them all ({@link #clear}), and each lives at most the cache's time to live from the start of the read that
 * found it (changes no event reports). Like the kept pages, an anchor found by a read that began before a change
 * is never kept: learning and clearing happen under one lock with a generation count.
 */
final class ListAnchors {
  /** ~100 bytes each; a crawl of a huge list stops adding anchors here (its deeper pages then skip more). */
  private static final int MAX_ANCHORS = 50_000;

  private record Kept(ListAnchor anchor, long expiresAtNanos) {}

  private final ConcurrentSkipListMap<Integer, Kept> byPosition = new ConcurrentSkipListMap<>();
  private final long ttlNanos;
  private long generation;

  ListAnchors(Duration ttl) {
    this.ttlNanos = ttl.toNanos();
  }

  /** To pass to {@link #learn}: taken before the read starts. */
  synchronized long generation() {
    return generation;
  }

  /** The nearest row known before {@code offset}, or null (then the read starts at the top). */
  ListAnchor before(int offset) {
    long now = System.nanoTime();
    for (Map.Entry<Integer, Kept> e = byPosition.floorEntry(offset - 1); e != null;
        e = byPosition.lowerEntry(e.getKey())) {
      if (e.getValue().expiresAtNanos() - now > 0) {
        return e.getValue().anchor();
      }
    }
    return null;
  }

  /** Keeps what a read begun at {@code startedNanos} in {@code generationAtStart} found, unless a change came since. */
  synchronized void learn(long generationAtStart, long startedNanos, ListAnchor anchor) {
    if (ttlNanos == 0 || anchor == null || generationAtStart != generation || byPosition.size() >= MAX_ANCHORS) {
      return;
    }
    byPosition.put(anchor.position(), new Kept(anchor, startedNanos + ttlNanos));
  }

  synchronized void clear() {
    generation++;
    byPosition.clear();
  }

  void sweep() {
    long now = System.nanoTime();
    byPosition.values().removeIf(k -> k.expiresAtNanos() - now <= 0);
  }
}
