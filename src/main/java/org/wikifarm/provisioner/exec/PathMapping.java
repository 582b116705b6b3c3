package org.wikifarm.provisioner.exec;

import java.nio.file.Path;

/**
 * Maps a wiki directory on this host ({@code WIKIFARM_DIR/<slug>}) to the same directory as the wikifarm
 * container sees it ({@code WIKIFARM_CONTAINER_WIKI_DIR/<slug>}): the farm root is usually bind-mounted at a
 * different path inside the container.
 */
public record PathMapping(Path hostRoot, Path containerRoot) {

  /** No mapping: the container sees the farm at the same path as the host. */
  public static PathMapping identity(Path root) {
    return new PathMapping(root, root);
  }

  public PathMapping {
    hostRoot = hostRoot.toAbsolutePath().normalize();
    containerRoot = containerRoot == null ? hostRoot : containerRoot.normalize();
  }

  /** The container path (always with '/' separators) of a directory under the host farm root. */
  public String toContainer(Path hostDir) throws CommandException {
    Path normalized = hostDir.toAbsolutePath().normalize();
    if (!normalized.startsWith(hostRoot)) {
      // only wiki directories are ever passed; anything else is a programming error worth a clear message
      throw new CommandException("working directory " + normalized + " is outside the farm directory "
          + hostRoot + ", so its path inside the container is unknown", "could not start: the wiki directory is "
          + "outside the farm directory (WIKIFARM_DIR), so its path inside the container is unknown", false, null);
    }
    Path relative = hostRoot.relativize(normalized);
    String root = containerRoot.toString().replace('\\', '/');
    if (relative.toString().isEmpty()) {
      return root;
    }
    return (root.endsWith("/") ? root : root + "/") + relative.toString().replace('\\', '/');
  }
}
