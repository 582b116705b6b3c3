package org.wikifarm.provisioner.manage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wikifarm.provisioner.manage.ManageKit.M;
import static org.wikifarm.provisioner.manage.ManageKit.OWNER;
import static org.wikifarm.provisioner.manage.ManageKit.as;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.HostTools;
import org.wikifarm.provisioner.embedded.HostTools.Tool;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.store.PermissionStore.Permission;

/**
 * The rows and permissions.php never disagree for long: concurrent changes on two nodes serialize (the final
 * rows and file are one request's set, never a mix), and a failure or crash between the DB commit and the
 * file's rename is repaired from the rows.
 */
@HostTools.Required(Tool.PHP)
class PermissionsConsistencyTest {
  private static RunningService nodeA;
  private static RunningService nodeB;
  private static TestDb db;

  @BeforeAll
  static void start() throws Exception {
    TestInfra.truncateMetadata();
    db = new TestDb();
    nodeA = RunningService.startApiOnly(json -> { });
    AppConfig.Farm f = nodeA.app.config().farm();
    JsonObject farmA = new JsonObject().put("wiki-dir", f.wikiDir().toString())
        .put("oauth-dir", f.oauthDir().toString()).put("template", f.defaultTemplate().toString())
        .put("root-host", f.rootHost());
    nodeB = RunningService.startApiOnly(json -> json.put("farm", farmA)); // same farm, same DB: another node
  }

  @AfterAll
  static void stop() throws Exception {
    nodeB.close();
    nodeA.close();
    db.close();
  }

  static JsonObject setNumber(int i) {
    JsonArray perms = new JsonArray();
    for (int k = 0; k <= i % 7; k++) {
      perms.add("right-" + i + "-" + k);
    }
    return new JsonObject().put("allow", new JsonObject().put("group" + (i % 3), perms))
        .put("deny", new JsonObject().put("user", new JsonArray().add("deny-" + i)));
  }

  @Test
  void twoHundredParallelChangesOnTwoNodesLeaveRowsAndFileEqualToOneOfThem() throws Exception {
    ManageKit.readyWiki(nodeA, db, "perm-race");
    List<JsonObject> sets = new ArrayList<>();
    List<Future<ApiClient.Response>> answers = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      for (int i = 0; i < 200; i++) {
        JsonObject set = setNumber(i);
        sets.add(set);
        ApiClient client = (i % 2 == 0 ? nodeA : nodeB).client;
        answers.add(pool.submit(() -> client.postJson(M + "perm-race/permissions", set.encode(), as(OWNER))));
      }
      for (Future<ApiClient.Response> answer : answers) {
        ApiClient.Response r = answer.get();
        assertEquals(200, r.status(), r.body());
      }
    } finally {
      pool.shutdownNow();
    }
    // read the file before any GET (a GET would repair a mismatch and hide it)
    Path file = ManageKit.permissionsFile(nodeA, "perm-race");
    PermissionSet stored = storedSet("perm-race");
    assertTrue(sets.contains(stored.toJson()), "the rows are exactly one request's set: " + stored.toJson());
    assertArrayEquals(PermissionsFile.render(stored).getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file),
        "permissions.php is the rendering of exactly those rows");
    assertEquals(PhpRights.expected(stored.toJson()), PhpRights.load(file));
    assertEquals(stored.toJson(), nodeB.client.get(M + "perm-race/permissions", as(OWNER)).json());
    assertEquals(List.of(file), leftovers(file), "no temp files");
  }

  @Test
  void aFileWriteFailingAfterTheCommitKeepsTheOldFileAndTheNextGetRepairsIt() throws Exception {
    ManageKit.readyWiki(nodeA, db, "perm-readonly");
    Path file = ManageKit.permissionsFile(nodeA, "perm-readonly");
    assertEquals(200, post("perm-readonly", setNumber(1)).status());
    byte[] old = Files.readAllBytes(file);

    ApiClient.Response failed;
    try (AutoCloseable undo = ManageKit.unwritable(file.getParent())) {
      failed = post("perm-readonly", setNumber(2));
      assertArrayEquals(old, Files.readAllBytes(file), "the previous file is intact");
    }
    assertEquals(500, failed.status(), failed.body());
    assertEquals("permissions_file_not_written", failed.errorCode());
    assertFalse(failed.body().contains(nodeA.farm.toString()), "no paths: " + failed.body());
    assertEquals(setNumber(2), storedSet("perm-readonly").toJson(), "the committed rows are the truth");

    ApiClient.Response repaired = nodeB.client.get(M + "perm-readonly/permissions", as(OWNER));
    assertEquals(200, repaired.status(), repaired.body());
    assertEquals(setNumber(2), repaired.json());
    assertEquals(PhpRights.expected(setNumber(2)), PhpRights.load(file));
    assertEquals(List.of(file), leftovers(file), "no temp files");
  }

  @Test
  void aFailureAtTheRenameLeavesNoTempFileAndAMissingFileIsRegenerated() throws Exception {
    ManageKit.readyWiki(nodeA, db, "perm-rename");
    Path file = ManageKit.permissionsFile(nodeA, "perm-rename");
    // the temp file is written and fsynced, then the rename onto a (non-empty) directory fails
    Files.createDirectories(file.resolve("blocker"));
    ApiClient.Response failed = post("perm-rename", setNumber(3));
    assertEquals(500, failed.status(), failed.body());
    assertEquals(List.of(file), leftovers(file), "the temp file was removed");
    assertEquals(setNumber(3), storedSet("perm-rename").toJson());

    Files.delete(file.resolve("blocker"));
    Files.delete(file);
    assertEquals(setNumber(3), nodeA.client.get(M + "perm-rename/permissions", as(OWNER)).json());
    ManageKit.assertPhpLints(file);
    assertEquals(PhpRights.expected(setNumber(3)), PhpRights.load(file));
  }

  @Test
  void aCrashBetweenCommitAndRenameIsRepairedFromTheRows() throws Exception {
    ManageKit.readyWiki(nodeA, db, "perm-crash");
    Path file = ManageKit.permissionsFile(nodeA, "perm-crash");
    assertEquals(200, post("perm-crash", setNumber(4)).status());
    // what a node that died right after its commit leaves: the new rows, the old file
    long wikiId = db.query("SELECT id FROM wikifarm_wikis WHERE slug = 'perm-crash'").iterator().next().getLong(0);
    db.query("DELETE FROM wikifarm_wiki_group_permissions WHERE wiki_id = ?", wikiId);
    for (Permission p : PermissionSet.fromJson(setNumber(5)).toRows()) {
      db.query("INSERT INTO wikifarm_wiki_group_permissions (wiki_id, group_name, permission, allowed) "
          + "VALUES (?, ?, ?, ?)", wikiId, p.group(), p.permission(), p.allowed() ? 1 : 0);
    }
    assertEquals(PhpRights.expected(setNumber(4)), PhpRights.load(file), "the file is stale");

    assertEquals(setNumber(5), nodeB.client.get(M + "perm-crash/permissions", as(OWNER)).json());
    assertArrayEquals(PermissionsFile.render(PermissionSet.fromJson(setNumber(5))).getBytes(StandardCharsets.UTF_8),
        Files.readAllBytes(file));
    assertEquals(PhpRights.expected(setNumber(5)), PhpRights.load(file));
  }

  private static ApiClient.Response post(String slug, JsonObject set) throws Exception {
    return nodeA.client.postJson(M + slug + "/permissions", set.encode(), as(OWNER));
  }

  private static PermissionSet storedSet(String slug) throws Exception {
    List<Permission> rows = new ArrayList<>();
    db.query("SELECT p.group_name, p.permission, p.allowed FROM wikifarm_wiki_group_permissions p "
            + "JOIN wikifarm_wikis w ON w.id = p.wiki_id WHERE w.slug = ?", slug)
        .forEach(r -> rows.add(new Permission(r.getString(0), r.getString(1), r.getInteger(2) != 0)));
    return PermissionSet.fromRows(rows);
  }

  private static List<Path> leftovers(Path file) throws Exception {
    try (Stream<Path> entries = Files.list(file.getParent())) {
      Set<Path> all = entries.filter(p -> p.getFileName().toString().contains("permissions"))
          .collect(Collectors.toSet());
      return List.copyOf(all);
    }
  }
}
