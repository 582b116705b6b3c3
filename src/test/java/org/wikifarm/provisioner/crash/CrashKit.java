package org.wikifarm.provisioner.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.ServiceProcess;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.support.IniFile;
import org.wikifarm.provisioner.store.RedisKeys;

/**
 * Shared pieces of the crash and outage tests: a scratch farm, node configurations with a short lease, the
 * pause files of nodes started with {@link #startPausable} (see {@link PausingCheckpoints}), and the two end
 * states a task may reach — succeeded with everything in place, or failed with zero leftovers.
 */
final class CrashKit implements AutoCloseable {
  static final Duration LEASE_TTL = Duration.ofSeconds(2);

  final Path root;
  final Path farm;
  final Path pauses;
  final TestDb db;
  private final Vertx vertx = Vertx.vertx();
  private final RedisAPI redis;
  /** The names the nodes use: their configuration ({@link #config}) builds on the same base. */
  private final RedisKeys keys;
  private final String dbNamePrefix;
  private final String keyPrefix;

  CrashKit(String name) throws Exception {
    TestInfra.truncateMetadata(); // the nodes' workers would otherwise also claim other classes' leftovers
    root = Files.createTempDirectory(TestInfra.scratch(), name);
    farm = root.resolve("farm");
    pauses = Files.createDirectories(root.resolve("pauses"));
    db = new TestDb();
    JsonObject json = TestConfigs.json(farm);
    AppConfig names = ConfigLoader.fromJson(json);
    keys = new RedisKeys(names.redis().keyPrefix());
    dbNamePrefix = names.wikiDb().namePrefix();
    keyPrefix = names.redis().keyPrefix();
    redis = RedisAPI.api(Redis.createClient(vertx, TestInfra.redis().url()));
  }

  /** A node configuration: short lease and poll, many concurrent tasks, the given phase-5/7 commands. */
  JsonObject config(JsonArray installCommands, JsonArray indexCommands) throws Exception {
    JsonObject json = TestConfigs.json(farm);
    json.getJsonObject("executor").put("install-commands", installCommands).put("index-commands", indexCommands)
        .put("command-timeout", "120s");
    json.put("worker", new JsonObject().put("concurrency", 32).put("lease-ttl", LEASE_TTL.toMillis() + "ms")
        .put("poll-interval", "200ms").put("transient-retry", "20s"));
    return json;
  }

  /** A node that stops at the checkpoints named by pause files (see {@link #pauseAt}). */
  ServiceProcess startPausable(JsonObject config, Path workDir) throws Exception {
    return ServiceProcess.start(config, workDir, Map.of(PausingCheckpoints.PROPERTY, pauses.toString()),
        PausingNode.class.getName());
  }

  static JsonArray commands(String... shellScripts) {
    JsonArray out = new JsonArray();
    for (String s : shellScripts) {
      out.add(new JsonArray().add("sh").add("-c").add(s));
    }
    return out;
  }

  /** Makes {@code slug}'s task stop at {@code phase}-{@code point}; {@code ledgerKind} narrows a mid point. */
  void pauseAt(String slug, String phase, String point, String ledgerKind) throws Exception {
    Path pause = PausingCheckpoints.pauseFile(pauses, slug, phase, point);
    Files.createDirectories(pause.getParent());
    Files.writeString(pause, ledgerKind == null ? "" : ledgerKind);
  }

  Path reachedMarker(String slug, String phase, String point) {
    return PausingCheckpoints.reachedMarker(pauses, slug, phase, point);
  }

  static String create(ApiClient client, String slug, String template, int owner) throws Exception {
    JsonObject body = new JsonObject().put("name", "Crash " + slug).put("slug", slug)
        .put("owner", new JsonObject().put("id", owner).put("username", "Crasher" + owner));
    if (template != null) {
      body.put("template", template);
    }
    ApiClient.Response r = client.postJson("/provisioner/v1/wikis", body.encode());
    assertEquals(202, r.status(), r.body());
    return r.json().getString("task_id");
  }

  static void awaitFile(Path file, Duration timeout, java.util.function.Supplier<String> why) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        fail("timed out waiting for " + file + "\n" + why.get());
      }
      Thread.sleep(50);
    }
  }

  String status(String taskId) throws Exception {
    return db.query("SELECT status FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next().getString(0);
  }

  int progress(String taskId) throws Exception {
    return db.query("SELECT progress FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next().getInteger(0);
  }

  /** Waits until every task is succeeded or failed in MariaDB. */
  void awaitTerminal(List<String> taskIds, Duration timeout, java.util.function.Supplier<String> why)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (String taskId : taskIds) {
      while (!Set.of("succeeded", "failed").contains(status(taskId))) {
        if (System.nanoTime() > deadline) {
          fail("task " + taskId + " still " + status(taskId) + " after " + timeout + "\n" + why.get());
        }
        Thread.sleep(100);
      }
    }
  }

  /** The wiki's database name, which is also its DB user name, as the nodes derive it. */
  String dbName(String slug) {
    return PhaseContext.dbName(dbNamePrefix, slug);
  }

  /** Succeeded: the row is ready, the directory, ini (bootstrap over), keys, database and user all exist. */
  void assertSucceeded(String slug, String taskId) throws Exception {
    Row task = db.query("SELECT status, progress, message, wiki_id FROM wikifarm_tasks WHERE id = ?", taskId)
        .iterator().next();
    assertEquals("succeeded", task.getString("status"), slug + ": " + task.getString("message"));
    assertEquals(100, task.getInteger("progress"), slug);
    Row wiki = db.query("SELECT id, status FROM wikifarm_wikis WHERE slug = ?", slug).iterator().next();
    assertEquals("ready", wiki.getString("status"), slug);
    assertEquals(wiki.getLong("id"), task.getLong("wiki_id"), slug);
    Path dir = farm.resolve("wikis").resolve(slug);
    Map<String, String> ini = IniFile.read(dir.resolve("pubwiki.ini"));
    assertEquals("false", ini.get("WIKI_BOOTSTRAPING"), slug);
    assertEquals(dbName(slug), ini.get("WIKI_DB_NAME"), slug);
    assertTrue(Files.isRegularFile(farm.resolve("oauth").resolve(slug).resolve("oauth.key")), slug);
    assertTrue(Files.isRegularFile(farm.resolve("oauth").resolve(slug).resolve("oauth.cert")), slug);
    assertEquals(1, db.count("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", dbName(slug)),
        slug + ": database");
    // the ini and the DB account agree even when the crash fell between render_ini and CREATE/ALTER USER
    assertTrue(canLogIn(dbName(slug), ini.get("WIKI_DB_PASSWORD"), dbName(slug)),
        slug + ": the wiki's DB user logs in with the ini's password");
    try (var listing = Files.list(farm.resolve("wikis"))) {
      assertFalse(listing.anyMatch(p -> p.getFileName().toString().startsWith("." + slug + ".")),
          slug + ": no partial copy left");
    }
    assertNoTaskKeys(taskId);
  }

  /** Failed with zero leftovers: no directory, ini, database, DB user, key directory or wiki row. */
  void assertFailedClean(String slug, String taskId, String messagePart) throws Exception {
    Row task = db.query("SELECT status, message, wiki_id FROM wikifarm_tasks WHERE id = ?", taskId)
        .iterator().next();
    assertEquals("failed", task.getString("status"), slug + ": " + task.getString("message"));
    String message = task.getString("message");
    assertTrue(message != null && message.contains(messagePart), slug + ": " + message);
    assertFalse(message.contains("Rollback could not remove"), slug + ": " + message);
    assertEquals(null, task.getValue("wiki_id"), slug + ": wiki row deleted");
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE slug = ?", slug), slug + ": wiki row");
    assertFalse(Files.exists(farm.resolve("wikis").resolve(slug)), slug + ": wiki dir");
    assertFalse(Files.exists(farm.resolve("wikis").resolve(slug).resolve("pubwiki.ini")), slug + ": ini");
    try (var listing = Files.list(farm.resolve("wikis"))) {
      assertFalse(listing.anyMatch(p -> p.getFileName().toString().startsWith("." + slug + ".")),
          slug + ": partial copy");
    }
    assertFalse(Files.exists(farm.resolve("oauth").resolve(slug)), slug + ": oauth dir");
    assertEquals(0, db.count("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", dbName(slug)),
        slug + ": database");
    assertEquals(0, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", dbName(slug)), slug + ": DB user");
    assertNoTaskKeys(taskId);
  }

  /** A finished task leaves no lease, ledger, done-set or spec behind in Redis (the journal stays for replay). */
  void assertNoTaskKeys(String taskId) throws Exception {
    List<String> left = new ArrayList<>();
    for (String key : List.of(keys.taskLease(taskId), keys.taskLedger(taskId), keys.taskDone(taskId),
        keys.taskSpec(taskId))) {
      Response exists = redis.exists(List.of(key)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (exists.toLong() != 0) {
        left.add(key);
      }
    }
    assertEquals(List.of(), left, "Redis keys left by finished task " + taskId);
  }

  /** Redis restarted empty (no persistence): every key this farm had is gone — leases, ledgers, journals. */
  void forgetRedis() throws Exception {
    Response all = redis.keys(keyPrefix + "*").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<String> keysToDrop = new ArrayList<>();
    all.forEach(k -> keysToDrop.add(k.toString()));
    if (!keysToDrop.isEmpty()) {
      redis.del(keysToDrop).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  boolean canLogIn(String user, String password, String database) throws Exception {
    EmbeddedMariaDb m = TestInfra.mariaDb();
    try {
      MySQLConnection conn = MySQLConnection.connect(vertx, new MySQLConnectOptions().setHost("127.0.0.1")
              .setPort(m.port()).setUser(user).setPassword(password).setDatabase(database))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      conn.close();
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    db.close();
    vertx.close();
  }
}
