package org.wikifarm.provisioner.provision.phases;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** File-tree helpers shared by the phases that create directories. */
public final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes {@code root} and everything below it; no-op when it does not exist. Symbolic links are removed
   * as links and never followed, so a link pointing outside the tree cannot make us delete its target.
   */
  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        deleteIfPresent(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
        if (failure != null) {
          throw failure;
        }
        deleteIfPresent(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void deleteIfPresent(Path p) throws IOException {
    try {
      Files.delete(p);
    } catch (NoSuchFileException alreadyGone) {
      // a concurrent or earlier partial delete got there first: the goal is reached
    }
  }
}
