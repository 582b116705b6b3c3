package org.wikifarm.provisioner.store;

import java.time.Instant;
import org.wikifarm.provisioner.task.TaskStatus;

/** A row of {@code wikifarm_tasks}. Timestamps are UTC. */
public record Task(
    String id, TaskStatus status, int progress, String message, Long wikiId, Instant createdAt, Instant startedAt,
    Instant finishedAt) {}
