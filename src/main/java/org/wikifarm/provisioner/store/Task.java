package org.wikifarm.provisioner.store;

import java.time.Instant;

/** A row of {@code wikifarm_tasks}, joined with what the worker needs of its wiki. */
public record Task(
    String id, String status, int progress, String message, Long wikiId, Instant createdAt, Instant startedAt,
    Instant finishedAt) {

  public boolean terminal() {
    return "succeeded".equals(status) || "failed".equals(status);
  }
}
