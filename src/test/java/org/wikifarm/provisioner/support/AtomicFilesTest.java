package org.wikifarm.provisioner.support;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir
  Path dir;

  @Test
  void aNewFileGetsTheGivenModeAndAnExistingOneKeepsItsOwn() throws Exception {
    Path file = dir.resolve("permissions.php");
    AtomicFiles.write(file, bytes("one"), AtomicFiles.readableByAll());
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    AtomicFiles.write(file, bytes("two"), AtomicFiles.readableByAll());
    assertEquals("two", Files.readString(file));
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(List.of(file), entries());
  }

  @Test
  void aSymlinkIsReplacedNeverWrittenThrough() throws Exception {
    Path victim = Files.writeString(dir.resolve("victim"), "keep");
    Path file = dir.resolve("favicon.ico");
    Files.createSymbolicLink(file, victim);
    AtomicFiles.write(file, bytes("icon"), AtomicFiles.readableByAll());
    assertFalse(Files.isSymbolicLink(file));
    assertEquals("icon", Files.readString(file));
    assertEquals("keep", Files.readString(victim));
  }

  @Test
  void aFailedRenameLeavesTheTargetAndNoTempFile() throws Exception {
    Path target = Files.createDirectories(dir.resolve("permissions.php").resolve("blocker"));
    assertThrows(IOException.class, () -> AtomicFiles.write(target.getParent(), bytes("x"),
        AtomicFiles.readableByAll()));
    assertTrue(Files.isDirectory(target));
    assertEquals(List.of(target.getParent()), entries());
  }

  @Test
  void largeContentIsWrittenWhole() throws Exception {
    byte[] big = new byte[3 * 1024 * 1024 + 17];
    new java.util.Random(1).nextBytes(big);
    Path file = dir.resolve("big");
    AtomicFiles.write(file, big, AtomicFiles.readableByAll());
    assertArrayEquals(big, Files.readAllBytes(file));
  }

  private List<Path> entries() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
