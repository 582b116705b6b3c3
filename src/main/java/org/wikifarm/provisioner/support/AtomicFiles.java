package org.wikifarm.provisioner.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Replacing a file so that a reader (PHP loading {@code permissions.php}, the web server serving
 * {@code favicon.ico}) sees either the whole old file or the whole new one, never a half-written one, and a
 * crash leaves the old file in place: the new bytes go to a temp file in the same directory (same file
 * system, so the rename is atomic), are fsynced, and the temp file is renamed over the target; then the
 * directory is fsynced so the rename itself survives a power loss.
 */
public final class AtomicFiles {
  private static final Logger LOG = Logger.getLogger(AtomicFiles.class.getName());

  private AtomicFiles() {}

  /**
   * Writes {@code content} to {@code target} atomically. An existing regular file keeps its mode, owner and
   * group (the web server must still be able to read it); a new file gets {@code newFileMode}. A symlink at
   * {@code target} is replaced by the file, never written through. On failure the target is untouched and the
   * temp file is removed; a crash may leave a {@code .<name>.*.tmp} file behind, which nothing reads.
   */
  public static void write(Path target, byte[] content, Set<PosixFilePermission> newFileMode) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    PosixFileAttributes old = Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)
        ? Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS) : null;
    Set<PosixFilePermission> mode = old == null ? newFileMode : old.permissions();
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp",
        PosixFilePermissions.asFileAttribute(mode));
    boolean renamed = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          ch.write(buffer);
        }
        ch.force(true);
      }
      Files.setPosixFilePermissions(tmp, mode); // the create-time mode is subject to the umask
      if (old != null) {
        keepOwnership(tmp, old);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      renamed = true;
    } finally {
      if (!renamed) {
        Files.deleteIfExists(tmp);
      }
    }
    syncDirectory(dir);
  }

  /** Mode {@code rw-r--r--}: generated files the web server reads. */
  public static Set<PosixFilePermission> readableByAll() {
    return PosixFilePermissions.fromString("rw-r--r--");
  }

  /**
   * The replaced file's owner and group. A service that may not chown (not root, not in the group) fails the
   * write instead of installing a file the web server might no longer be allowed to read.
   */
  private static void keepOwnership(Path tmp, PosixFileAttributes old) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
    PosixFileAttributes now = view.readAttributes();
    if (!now.owner().equals(old.owner())) {
      view.setOwner(old.owner());
    }
    if (!now.group().equals(old.group())) {
      view.setGroup(old.group());
    }
  }

  /**
   * Makes the rename durable. The new file is already in place when this runs, so a failure here is logged,
   * not thrown: the caller's change did happen.
   */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      LOG.warning("could not fsync directory " + dir + " after a rename: " + e.getMessage());
    }
  }
}
