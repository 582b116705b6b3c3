package org.wikifarm.provisioner.store;

/** A validated create request: the wiki row to insert as {@code pending} and the queued task for it. */
public record NewWiki(
    String taskId, String name, String slug, String domain, String language, String visibility,
    long ownerUserId, String ownerUsername) {}
