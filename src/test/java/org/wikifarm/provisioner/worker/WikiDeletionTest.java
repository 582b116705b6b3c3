package org.wikifarm.provisioner.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wikifarm.provisioner.sse.StreamAssertions.assertCompleteStream;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.sse.SseClient;
import org.wikifarm.provisioner.sse.StreamAssertions;
import org.wikifarm.provisioner.sse.StreamAssertions.Ids;
import org.wikifarm.provisioner.store.RedisKeys;

/**
 * Deleting a wiki with the real service (SPEC §6.2): MariaDB, Redis, the worker, SSE, real files, mysqldump and
 * tar. Create → delete leaves nothing — no directory, key directory, database, DB user, grant rows or task keys
 * in Redis — and the slug can be created again; a database named like the wiki but without its marker is
 * never touched and is named; an archive restores to the same tables and bytes.
 */
class WikiDeletionTest {
  private static final String V1 = "/provisioner/v1";
  private static final String[] OWNER = {"X-Auth-User-Id", "77", "X-Auth-User", "Lifer"};
  private static TestDb db;
  private static Vertx vertx;
  private static RedisAPI redis;

  @BeforeAll
  static void start() throws Exception {
    db = new TestDb();
    vertx = Vertx.vertx();
    redis = RedisAPI.api(Redis.createClient(vertx, TestInfra.redis().url()));
  }

  @AfterAll
  static void stop() {
    db.close();
    vertx.close();
  }

  @BeforeEach
  void emptyQueue() throws Exception {
    TestInfra.truncateMetadata();
  }

  private static RunningService service(Consumer<JsonObject> adjust) throws Exception {
    return RunningService.start(adjust);
  }

  /** Creates a wiki of owner 77 and waits for its create task to succeed; returns the create task id. */
  private static String createReady(RunningService service, String slug) throws Exception {
    String body = new JsonObject().put("name", "Doomed " + slug).put("slug", slug).put("language", "de")
        .put("owner", new JsonObject().put("id", 77).put("username", "Lifer")).encode();
    ApiClient.Response r = service.client.postJson(V1 + "/wikis", body);
    assertEquals(202, r.status(), r.body());
    String taskId = r.json().getString("task_id");
    assertCompleteStream(slug, SseClient.read(service.app.httpPort(), taskId, null, Duration.ofSeconds(60)),
        "succeeded", Ids.JOURNALED);
    return taskId;
  }

  /** DELETE as the owner, then the whole SSE stream of the delete task; returns the task id and its last event. */
  private static String[] delete(RunningService service, String slug, String expected) throws Exception {
    ApiClient.Response r = service.client.delete(V1 + "/wikis/" + slug, OWNER);
    assertEquals(202, r.status(), r.body());
    String taskId = r.json().getString("task_id");
    SseClient.Stream stream = SseClient.read(service.app.httpPort(), taskId, null, Duration.ofSeconds(60));
    SseClient.Event last = assertCompleteStream(slug, stream, expected, Ids.JOURNALED);
    if (expected.equals("succeeded")) {
      assertEquals(StreamAssertions.DELETE_PHASES, stream.events().stream().map(e -> e.data().getString("phase"))
          .filter(p -> p != null).distinct().toList(), "the delete's phases, in order");
    }
    return new String[] {taskId, last.data().getString("message")};
  }

  private static String dbName(RunningService service, String slug) {
    return PhaseContext.dbName(service.app.config().wikiDb().namePrefix(), slug);
  }

  private static Path wikiDir(RunningService service, String slug) {
    return service.app.config().farm().wikiDir().resolve(slug);
  }

  private static Path keyDir(RunningService service, String slug) {
    return service.app.config().farm().oauthDir().resolve(slug);
  }

  /** Nothing of the wiki is left anywhere, and neither task left a key in Redis. */
  private static void assertNothingLeft(RunningService service, String slug, String... taskIds) throws Exception {
    String name = dbName(service, slug);
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE slug = ?", slug), "wiki row");
    assertFalse(Files.exists(wikiDir(service, slug)), "wiki directory");
    assertFalse(Files.exists(keyDir(service, slug)), "key directory");
    for (Path root : List.of(wikiDir(service, slug).getParent(), keyDir(service, slug).getParent())) {
      try (Stream<Path> listing = Files.list(root)) {
        assertEquals(List.of(), listing.filter(p -> p.getFileName().toString().startsWith("." + slug + "."))
            .toList(), "hidden partial or half-deleted copies");
      }
    }
    assertEquals(0, db.count("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", name), "db");
    assertEquals(0, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", name), "DB user");
    assertEquals(0, db.count("SELECT COUNT(*) FROM mysql.db WHERE User = ?", name), "database grants");
    assertEquals(0, db.count("SELECT COUNT(*) FROM mysql.tables_priv WHERE User = ?", name), "shared-table grants");
    RedisKeys keys = new RedisKeys(service.app.config().redis().keyPrefix());
    for (String taskId : taskIds) {
      for (String key : List.of(keys.taskLease(taskId), keys.taskLedger(taskId), keys.taskDone(taskId),
          keys.taskSpec(taskId))) {
        // the worker releases the lease just after it records the end, so give that a moment
        long left = 1;
        for (long until = System.nanoTime() + 5_000_000_000L; left != 0 && System.nanoTime() < until; ) {
          left = redis.exists(List.of(key)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toLong();
          if (left != 0) {
            Thread.sleep(100);
          }
        }
        assertEquals(0L, left, "Redis key " + key);
      }
    }
  }

  @Test
  void createThenDeleteLeavesNothingAndTheSlugCanBeCreatedAgain() throws Exception {
    try (RunningService service = service(json -> { })) {
      String slug = "gone-" + System.nanoTime() % 100000;
      String createTask = createReady(service, slug);
      String name = dbName(service, slug);
      assertEquals(service.app.config().wikiDb().sharedTables().size(),
          db.count("SELECT COUNT(*) FROM mysql.tables_priv WHERE User = ?", name),
          "the create granted on the shared tables (what the delete must take back)");
      // permission rows of the manage API go with the wiki row
      long wikiId = db.count("SELECT id FROM wikifarm_wikis WHERE slug = ?", slug);
      db.query("INSERT INTO wikifarm_wiki_group_permissions (wiki_id, group_name, permission, allowed) "
          + "VALUES (?, 'user', 'edit', 1)", wikiId);

      String[] deleted = delete(service, slug, "succeeded");
      Row task = db.query("SELECT type, status, progress, message FROM wikifarm_tasks WHERE id = ?", deleted[0])
          .iterator().next();
      assertEquals("delete_wiki", task.getString("type"));
      assertEquals("succeeded", task.getString("status"));
      assertEquals(100, task.getInteger("progress"));
      assertEquals("wiki deleted", task.getString("message"));
      assertNothingLeft(service, slug, createTask, deleted[0]);
      assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wiki_group_permissions WHERE wiki_id = ?", wikiId));
      assertFalse(service.client.get(V1 + "/wikis/slug/" + slug + "/exists").json().getBoolean("exists"));
      assertEquals(404, service.client.get(V1 + "/wikis/" + slug).status());

      String again = createReady(service, slug);
      assertEquals("ready", db.query("SELECT status FROM wikifarm_wikis WHERE slug = ?", slug).iterator().next()
          .getString(0));
      assertTrue(Files.isRegularFile(wikiDir(service, slug).resolve("pubwiki.ini")), again);
    }
  }

  /**
   * The wiki's database was replaced by one without its marker (an operator's, say): drop_db leaves it and
   * its user alone and the delete fails, listing what remains; the wiki is {@code failed} and deletable again.
   * With the database gone but the user still there, nothing proves the user is the wiki's: named again. Once
   * an operator removed both, a third DELETE finishes the job.
   */
  @Test
  void whatDoesNotCarryTheWikisMarkerIsLeftUntouchedAndNamed() throws Exception {
    try (RunningService service = service(json -> { })) {
      String slug = "foreign-" + System.nanoTime() % 100000;
      String createTask = createReady(service, slug);
      String name = dbName(service, slug);
      EmbeddedMariaDb m = TestInfra.mariaDb();
      m.run("DROP DATABASE `" + name + "`; CREATE DATABASE `" + name + "` COMMENT 'operator data'; "
          + "CREATE TABLE `" + name + "`.keep_me (id INT PRIMARY KEY); INSERT INTO `" + name + "`.keep_me VALUES (1)",
          null);

      String[] first = delete(service, slug, "failed");
      String message = first[1];
      assertTrue(message.startsWith("drop_db failed: the database " + name + " does not carry this wiki's "
          + "ownership marker"), message);
      assertTrue(message.contains("Still in place: the database " + name + " (without this wiki's ownership "
          + "marker), the DB user " + name + " (not provably this wiki's), the OAuth key directory, the wiki "
          + "directory."), message);
      assertEquals(1, db.count("SELECT COUNT(*) FROM " + "`" + name + "`.keep_me"), "foreign data untouched");
      assertEquals(1, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", name), "user untouched");
      assertTrue(Files.isDirectory(wikiDir(service, slug)), "a failure stops where it is");
      assertEquals("failed", db.query("SELECT status FROM wikifarm_wikis WHERE slug = ?", slug).iterator().next()
          .getString(0));
      assertTrue(service.client.get(V1 + "/wikis/slug/" + slug + "/exists").json().getBoolean("exists"));

      m.run("DROP DATABASE `" + name + "`", null);
      String[] second = delete(service, slug, "failed");
      assertTrue(second[1].contains("the DB user " + name + " exists without this wiki's database"), second[1]);
      assertEquals(1, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", name), "user untouched");

      m.run("DROP USER `" + name + "`@'%'", null);
      String[] third = delete(service, slug, "succeeded");
      assertNothingLeft(service, slug, createTask, first[0], second[0], third[0]);
    }
  }

  /**
   * With farm.archive-dir the archive restores: its dump loaded into a fresh database gives the same table
   * checksums, and its tar files give back the wiki and key directories byte for byte (symlinks, modes too).
   */
  @Test
  void theArchiveRestoresTheDatabaseAndTheFiles() throws Exception {
    Path archives = Files.createDirectories(Files.createTempDirectory(TestInfra.scratch(), "archives"));
    try (RunningService service = service(json -> json.getJsonObject("farm").put("archive-dir",
        archives.toString()))) {
      String slug = "kept-" + System.nanoTime() % 100000;
      String createTask = createReady(service, slug);
      String name = dbName(service, slug);
      EmbeddedMariaDb m = TestInfra.mariaDb();
      m.run("CREATE TABLE page (page_id INT UNSIGNED PRIMARY KEY, page_title VARBINARY(255), body MEDIUMBLOB); "
          + "INSERT INTO page VALUES (1, 'Main_Page', 0x00FF10), (2, 'Ålesund', 'text ''quoted'' \\\\ end'); "
          + "CREATE TABLE site_stats (ss_row_id INT PRIMARY KEY, ss_total_edits BIGINT); "
          + "INSERT INTO site_stats VALUES (1, 42)", name);
      Path dir = wikiDir(service, slug);
      Files.createDirectories(dir.resolve("images/a/ab"));
      Files.write(dir.resolve("images/a/ab/Logo.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
      Files.createSymbolicLink(dir.resolve("extensions-link"), Path.of("../elsewhere"));
      List<String> tables = List.of("page", "site_stats");
      List<Long> checksums = checksums(name, tables);
      String wikiTree = Trees.snapshot(dir);
      String keyTree = Trees.snapshot(keyDir(service, slug));

      String[] deleted = delete(service, slug, "succeeded");
      assertNothingLeft(service, slug, createTask, deleted[0]);

      List<Path> made;
      try (Stream<Path> listing = Files.list(archives)) {
        made = listing.toList();
      }
      assertEquals(1, made.size(), "one archive, no partial one: " + made);
      Path archive = made.get(0);
      assertTrue(archive.getFileName().toString().matches("^" + slug + "-\\d{8}T\\d{6}Z$"), archive.toString());
      assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
          Files.getPosixFilePermissions(archive)), "the archive holds the wiki's secrets");
      JsonObject manifest = new JsonObject(Files.readString(archive.resolve("manifest.json")));
      assertEquals(deleted[0], manifest.getString("delete_task"));
      assertEquals(createTask, manifest.getString("create_task"));
      assertEquals(3, manifest.getJsonArray("files").size(), manifest.encodePrettily());

      String restored = "restored_" + slug.replace('-', '_');
      m.run("DROP DATABASE IF EXISTS `" + restored + "`; CREATE DATABASE `" + restored + "`", null);
      try {
        sh("gunzip -c database.sql.gz | mariadb --protocol=TCP --skip-ssl -h127.0.0.1 -P" + m.port() + " -u"
            + EmbeddedMariaDb.ADMIN_USER + " -p" + EmbeddedMariaDb.ADMIN_PASSWORD + " " + restored, archive);
        assertEquals(checksums, checksums(restored, tables), "CHECKSUM TABLE of the restored database");
      } finally {
        m.run("DROP DATABASE IF EXISTS `" + restored + "`", null);
      }
      // each tar holds one top directory named after the slug: unpack them apart
      Path wikiOut = Files.createDirectories(Files.createTempDirectory(TestInfra.scratch(), "untar").resolve("wiki"));
      Path keysOut = Files.createDirectories(wikiOut.resolveSibling("keys"));
      sh("tar -xzf '" + archive.resolve("wiki-dir.tar.gz") + "'", wikiOut);
      sh("tar -xzf '" + archive.resolve("oauth-keys.tar.gz") + "'", keysOut);
      assertEquals(wikiTree, Trees.snapshot(wikiOut.resolve(slug)), "wiki directory byte for byte");
      assertEquals(keyTree, Trees.snapshot(keysOut.resolve(slug)), "keys byte for byte");
    }
  }

  private static List<Long> checksums(String database, List<String> tables) throws Exception {
    List<Long> out = new ArrayList<>();
    for (String table : tables) {
      out.add(db.query("CHECKSUM TABLE `" + database + "`.`" + table + "`").iterator().next().getLong("Checksum"));
    }
    return out;
  }

  private static void sh(String script, Path dir) throws Exception {
    Process p = new ProcessBuilder("sh", "-c", script).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), script + ": " + out);
  }

  /** Every path of a tree with its type, mode, owner and content or link target (tar keeps mtimes to the second). */
  private static final class Trees {
    static String snapshot(Path root) throws Exception {
      StringBuilder out = new StringBuilder();
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : walk.sorted().toList()) {
          var a = Files.readAttributes(p, java.nio.file.attribute.PosixFileAttributes.class,
              java.nio.file.LinkOption.NOFOLLOW_LINKS);
          out.append(root.relativize(p)).append(' ').append(a.owner().getName()).append(' ');
          if (a.isSymbolicLink()) {
            out.append("-> ").append(Files.readSymbolicLink(p));
          } else {
            out.append(java.nio.file.attribute.PosixFilePermissions.toString(a.permissions()));
            if (a.isRegularFile()) {
              out.append(' ').append(java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
            }
          }
          out.append('\n');
        }
      }
      return out.toString();
    }
  }
}
