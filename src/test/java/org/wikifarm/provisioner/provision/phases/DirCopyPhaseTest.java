package org.wikifarm.provisioner.provision.phases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.Prerequisites;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;

class DirCopyPhaseTest {
  private final DirCopyPhase phase = new DirCopyPhase();
  private TestFarm farm;
  private Path outside;

  @BeforeEach
  void setUp() throws Exception {
    Prerequisites.command("cp");
    farm = TestFarm.create();
    Path t = farm.template();
    // a realistic template: code with modes, nested and empty dirs, and every kind of symlink
    Files.createDirectories(t.resolve("extensions/CirrusSearch/maintenance"));
    Files.writeString(t.resolve("extensions/CirrusSearch/maintenance/Update.php"), "<?php echo 1;\n");
    Files.createDirectories(t.resolve("bin"));
    Files.writeString(t.resolve("bin/run.sh"), "#!/bin/sh\necho ok\n");
    Files.setPosixFilePermissions(t.resolve("bin/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(t.resolve("bin"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.writeString(t.resolve("secret.txt"), "template secret\n");
    Files.setPosixFilePermissions(t.resolve("secret.txt"), PosixFilePermissions.fromString("rw-------"));
    Files.setLastModifiedTime(t.resolve("secret.txt"), FileTime.fromMillis(1_000_000_000_000L));
    Files.createDirectories(t.resolve("cache/empty"));
    Files.createDirectories(t.resolve("images"));
    Files.createSymbolicLink(t.resolve("bin/relative-link"), Path.of("../secret.txt"));
    Files.createSymbolicLink(t.resolve("absolute-link"), t.resolve("secret.txt"));
    outside = Files.createDirectories(farm.root.resolve("shared-vendor"));
    Files.writeString(outside.resolve("huge-library.php"), "<?php // outside the template\n");
    Files.createSymbolicLink(t.resolve("vendor"), outside);
    Files.createSymbolicLink(t.resolve("dangling"), Path.of("does/not/exist"));
  }

  @Test
  void copiesTreeKeepingSymlinksModesTimestampsAndEmptyDirs() throws Exception {
    PhaseContext ctx = farm.context("alpha", "Alpha");
    phase.run(ctx);

    Path wiki = ctx.wikiDir();
    assertEquals(TreeSnapshot.of(farm.template()), copyOwnedBy(wiki, ctx), "copy differs from the template");
    assertEquals(Path.of("../secret.txt"), Files.readSymbolicLink(wiki.resolve("bin/relative-link")));
    assertEquals(outside, Files.readSymbolicLink(wiki.resolve("vendor")));
    assertTrue(Files.isSymbolicLink(wiki.resolve("vendor")), "link out of the template must stay a link");
    try (Stream<Path> all = Files.walk(wiki)) {
      assertFalse(all.anyMatch(p -> p.getFileName().toString().equals("huge-library.php")),
          "the target of an outside symlink was copied");
    }
    assertEquals("rwxr-x---", mode(wiki.resolve("bin")));
    assertEquals("rwxr-xr-x", mode(wiki.resolve("bin/run.sh")));
    assertEquals("rw-------", mode(wiki.resolve("secret.txt")));
    assertTrue(Files.isDirectory(wiki.resolve("cache/empty")));
    assertEquals(List.of(new LedgerEntry("dir_copy", "directory", wiki.toAbsolutePath().toString())),
        ctx.ledger().entries());
    assertEquals(List.of("alpha"), names(farm.wikis()), "no partial copy may be left next to the wiki");
  }

  @Test
  void existingTargetIsAConflictAndStaysUntouched() throws Exception {
    Path existing = Files.createDirectories(farm.wikis().resolve("taken"));
    Files.writeString(existing.resolve("pubwiki.ini"), "WIKI_SITE_NAME = \"Someone else's\"\n");
    Files.setPosixFilePermissions(existing.resolve("pubwiki.ini"), PosixFilePermissions.fromString("rw-r-----"));
    Map<String, String> before = TreeSnapshot.of(existing);
    PhaseContext ctx = farm.context("taken", "Taken");

    ProvisionException e = assertThrows(ProvisionException.class, () -> phase.run(ctx));

    assertTrue(e.getMessage().contains("directory taken already exists"), e.getMessage());
    assertEquals(before, TreeSnapshot.of(existing));
    assertEquals(List.of(), ctx.ledger().entries(), "a conflict must not be recorded as ours");
    assertEquals(List.of("taken"), names(farm.wikis()));
  }

  @Test
  void undoRemovesTheCopyAndIsANoOpWhenGone() throws Exception {
    PhaseContext ctx = farm.context("beta", "Beta");
    phase.run(ctx);
    LedgerEntry entry = ctx.ledger().entries().get(0);

    phase.undo(entry, ctx);
    assertFalse(Files.exists(ctx.wikiDir(), LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.exists(farm.root.resolve("shared-vendor/huge-library.php")),
        "undo followed a symlink out of the wiki");
    assertTrue(Files.exists(farm.template().resolve("secret.txt")), "undo followed an absolute symlink");
    phase.undo(entry, ctx);
    assertEquals(List.of(), names(farm.wikis()));
  }

  @Test
  void resumeReplacesAPartialCopyLeftByACrash() throws Exception {
    PhaseContext ctx = farm.context("gamma", "Gamma");
    Path target = ctx.wikiDir().toAbsolutePath();
    ctx.ledger().record(new LedgerEntry("dir_copy", "directory", target.toString()));
    Files.createDirectories(target.resolve("bin"));
    Files.writeString(target.resolve("bin/run.sh"), "#!/bin/sh\nech"); // truncated by the crash
    Path partial = OwnershipMarker.partialOf(target, ctx.request().taskId());
    Files.createDirectories(partial.resolve("half"));

    phase.run(ctx);

    assertEquals(TreeSnapshot.of(farm.template()), copyOwnedBy(target, ctx));
    assertEquals(List.of("gamma"), names(farm.wikis()));
  }

  @Test
  void templateWithoutPubwikiIniIsRejectedClearly() throws Exception {
    Files.delete(farm.template().resolve("pubwiki.ini"));
    PhaseContext ctx = farm.context("delta", "Delta");

    ProvisionException e = assertThrows(ProvisionException.class, () -> phase.run(ctx));

    assertTrue(e.getMessage().contains("pubwiki.ini"), e.getMessage());
    assertEquals(List.of(), names(farm.wikis()));
  }

  static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  static List<String> names(Path dir) throws Exception {
    try (Stream<Path> list = Files.list(dir)) {
      return list.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** The copy's tree without its ownership marker, after checking the marker names this task. */
  static Map<String, String> copyOwnedBy(Path dir, PhaseContext ctx) throws Exception {
    assertEquals("wikifarm task " + ctx.request().taskId() + "\n",
        Files.readString(dir.resolve(OwnershipMarker.FILE)), "the copy names the task that made it");
    Map<String, String> tree = new java.util.TreeMap<>(TreeSnapshot.of(dir));
    tree.remove(OwnershipMarker.FILE);
    return tree;
  }
}
