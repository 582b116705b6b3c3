package org.wikifarm.provisioner.provision.phases;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Everything observable about a file tree, without following symlinks: per relative path the type, mode,
 * owner, modification time and content (or link target). Two equal snapshots mean "byte-for-byte untouched".
 */
final class TreeSnapshot {
  private TreeSnapshot() {}

  static Map<String, String> of(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return out;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        out.put(root.relativize(p).toString(), describe(p, true));
      }
    }
    return out;
  }

  /** Type, mode, content/target, and (when {@code withTimes}) owner, group and mtime of one path. */
  static String describe(Path p, boolean withTimes) throws Exception {
    PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    String body;
    if (a.isSymbolicLink()) {
      body = "link->" + Files.readSymbolicLink(p);
    } else if (a.isDirectory()) {
      body = "dir";
    } else {
      body = "file:" + Base64.getEncoder().encodeToString(Files.readAllBytes(p));
    }
    String mode = a.isSymbolicLink() ? "" : PosixFilePermissions.toString(a.permissions());
    String meta = withTimes ? " " + a.owner().getName() + ":" + a.group().getName()
        + (a.isDirectory() ? "" : " mtime=" + a.lastModifiedTime().toMillis()) : "";
    return body + " " + mode + meta;
  }
}
