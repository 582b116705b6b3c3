package org.wikifarm.provisioner.provision;

import java.nio.file.Path;

/** What to build: the validated request of one task, resolved to a template directory. */
public record WikiRequest(
    String taskId, long wikiId, String name, String slug, String language, Path templateDir) {}
