package org.wikifarm.provisioner.store;

import java.time.Instant;

/** A row of {@code wikifarm_wikis}. Timestamps are UTC. {@code path} is never exposed over the API. */
public record Wiki(
    long id, String name, String slug, String domain, String language, long ownerUserId, String ownerUsername,
    String visibility, String status, boolean featured, Instant createdAt, Instant updatedAt) {}
