package org.wikifarm.provisioner.store;

import java.time.Instant;
import org.wikifarm.provisioner.task.WikiStatus;

/** A row of {@code wikifarm_wikis}. Timestamps are UTC. {@code path} is never exposed over the API. */
public record Wiki(
    long id, String name, String slug, String domain, String language, long ownerUserId, String ownerUsername,
    String visibility, WikiStatus status, boolean featured, Instant createdAt, Instant updatedAt) {}
