package org.wikifarm.provisioner.provision.phases;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The proof inside a directory a task created (the wiki directory, the key directory) that it is that task's:
 * a file {@value #FILE} holding {@code wikifarm task <id>} — the same text the task's database carries as its
 * COMMENT. It is written into the directory before the directory gets its final name, so every directory that
 * ever carries the final name also carries its owner. Resume and rollback trust it when the Redis ledger is
 * lost or stale; a directory without this task's marker is never touched.
 */
public final class OwnershipMarker {
  public static final String FILE = ".wikifarm-task";
  private static final String PREFIX = "wikifarm task ";

  private OwnershipMarker() {}

  /** The text a resource of {@code taskId} carries (file content, database COMMENT). */
  public static String of(String taskId) {
    return PREFIX + taskId;
  }

  static void write(Path dir, String taskId) throws IOException {
    Files.writeString(dir.resolve(FILE), of(taskId) + "\n", StandardCharsets.UTF_8);
  }

  /** Whether {@code dir} is a real directory (not a symlink) carrying {@code taskId}'s marker. */
  static boolean isOwnedBy(Path dir, String taskId) {
    return taskIdIn(dir).map(taskId::equals).orElse(false);
  }

  /** The task id a directory's marker names, if it has a readable one. */
  public static Optional<String> taskIdIn(Path dir) {
    Path file = dir.resolve(FILE);
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      return text.startsWith(PREFIX) ? Optional.of(text.substring(PREFIX.length())) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code taskId} made {@code target}, or got as far as its partial copy: what rollback must undo. */
  static boolean leftBy(Path target, String taskId) {
    return isOwnedBy(target, taskId) || Files.exists(partialOf(target, taskId), LinkOption.NOFOLLOW_LINKS);
  }

  /** Where a task builds a directory before renaming it onto {@code target}: hidden, unique to the task. */
  static Path partialOf(Path target, String taskId) {
    return target.resolveSibling("." + target.getFileName() + "." + taskId + ".partial");
  }
}
