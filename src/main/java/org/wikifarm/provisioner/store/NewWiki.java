package org.wikifarm.provisioner.store;

/**
 * A validated create request: the wiki row to insert as {@code pending}, and the extras its task needs
 * ({@code template}: a configured template's name, or null for the default).
 */
public record NewWiki(
    String name, String slug, String domain, String language, String visibility, long ownerUserId,
    String ownerUsername, String template) {}
