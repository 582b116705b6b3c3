package org.wikifarm.provisioner.provision.phases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.provision.phases.FarmResources.Kind;
import org.wikifarm.provisioner.provision.phases.FarmResources.Resource;

/**
 * A removal checks the proof again, against the real MariaDB and file system: whatever changed since the listing
 * (another task's marker now, a link in the directory's place, a database whose COMMENT changed) is left alone.
 */
class FarmResourcesTest {
  private static final String A = UUID.randomUUID().toString();
  private static final String B = UUID.randomUUID().toString();
  private static Vertx vertx;
  private static TestDb db;
  private static Path farm;
  private static FarmResources resources;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    db = new TestDb();
    farm = Files.createTempDirectory(TestInfra.scratch(), "farm-resources");
    JsonObject json = TestConfigs.json(farm);
    json.getJsonObject("wiki-db").put("name-prefix", "frt_");
    resources = new FarmResources(vertx, ConfigLoader.fromJson(json));
  }

  @AfterAll
  static void stop() {
    db.close();
    vertx.close();
  }

  @Test
  void aDirectoryIsRemovedOnlyWhileItsMarkerNamesTheSameTask() throws Exception {
    Path dir = marked(farm.resolve("wikis").resolve("changed"), B); // listed as A's, B's by now
    ProvisionException e = assertThrows(ProvisionException.class,
        () -> resources.remove(new Resource(Kind.WIKI_DIR, dir.toString(), "changed", A, null)));
    assertTrue(e.getMessage().contains("no longer carries task " + A), e.getMessage());
    assertTrue(Files.exists(dir.resolve("page.txt")));

    Path target = marked(farm.resolve("elsewhere"), A);
    Path link = Files.createSymbolicLink(farm.resolve("oauth").resolve("linked"), target);
    assertThrows(ProvisionException.class,
        () -> resources.remove(new Resource(Kind.KEY_DIR, link.toString(), "linked", A, null)));
    assertTrue(Files.exists(target.resolve("page.txt")), "a link is never followed");
    assertThrows(ProvisionException.class, // not directly under the farm's roots
        () -> resources.remove(new Resource(Kind.WIKI_DIR, target.toString(), "elsewhere", A, null)));
    assertThrows(IllegalArgumentException.class,
        () -> resources.remove(new Resource(Kind.WIKI_DIR, dir.toString(), "changed", null, "no marker")));

    Path mine = marked(farm.resolve("wikis").resolve("mine"), A);
    assertTrue(resources.remove(new Resource(Kind.WIKI_DIR, mine.toString(), "mine", A, null)));
    assertFalse(Files.exists(mine));
    assertFalse(resources.remove(new Resource(Kind.WIKI_DIR, mine.toString(), "mine", A, null)), "gone already");
  }

  @Test
  void aDatabaseAndItsUserAreDroppedOnlyWhileTheCommentNamesTheSameTask() throws Exception {
    TestInfra.mariaDb().run("CREATE DATABASE frt_changed COMMENT 'wikifarm task " + B + "'", null);
    TestInfra.mariaDb().run("CREATE USER 'frt_changed'@'%' IDENTIFIED BY 'pw-frt-1'", null);
    assertThrows(ProvisionException.class,
        () -> resources.remove(new Resource(Kind.DB_USER, "frt_changed", "changed", A, null)));
    assertThrows(ProvisionException.class,
        () -> resources.remove(new Resource(Kind.DATABASE, "frt_changed", "changed", A, null)));
    assertEquals(1, db.count("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'frt_changed'"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = 'frt_changed'"));

    assertTrue(resources.remove(new Resource(Kind.DB_USER, "frt_changed", "changed", B, null)));
    assertTrue(resources.remove(new Resource(Kind.DATABASE, "frt_changed", "changed", B, null)));
    assertEquals(0, db.count("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'frt_changed'"));
    assertEquals(0, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = 'frt_changed'"));
    assertFalse(resources.remove(new Resource(Kind.DATABASE, "frt_changed", "changed", B, null)), "gone already");
    assertThrows(ProvisionException.class, // never spliced into SQL
        () -> resources.remove(new Resource(Kind.DATABASE, "frt_x`; DROP DATABASE mediawiki", "x", B, null)));
  }

  private static Path marked(Path dir, String taskId) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(OwnershipMarker.FILE), OwnershipMarker.of(taskId) + "\n");
    Files.writeString(dir.resolve("page.txt"), "content");
    return dir;
  }
}
