package org.wikifarm.provisioner.provision;

import java.nio.file.Path;

/**
 * What one task works on: the wiki (validated when it was requested) and, for a create, the template directory.
 *
 * @param creatorTaskId the task whose ownership markers the wiki's resources carry: the task itself for a
 *     create; for a delete, the wiki's create task (null when unknown, so nothing can be proven ours)
 * @param archiveName the directory name a delete archives into, fixed when it was requested so a resumed run
 *     writes to the same place (null for a create)
 */
public record WikiRequest(String taskId, long wikiId, String name, String slug, String language, Path templateDir,
    String creatorTaskId, String archiveName) {

  /** A create: its resources carry its own id. */
  public WikiRequest(String taskId, long wikiId, String name, String slug, String language, Path templateDir) {
    this(taskId, wikiId, name, slug, language, templateDir, taskId, null);
  }
}
