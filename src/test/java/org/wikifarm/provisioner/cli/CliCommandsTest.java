package org.wikifarm.provisioner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * The other commands as real processes against the embedded MariaDB and Redis: help and version, check-config,
 * tasks and wikis over a wiki that {@code provision} created, and prune over planted Redis keys.
 */
class CliCommandsTest {
  private static TestDb db;
  private static Vertx vertx;
  private static RedisAPI redis;
  private static JsonObject config;
  private static CliProcess cli;

  @BeforeAll
  static void start() throws Exception {
    db = new TestDb();
    vertx = Vertx.vertx();
    redis = RedisAPI.api(Redis.createClient(vertx, TestInfra.redis().url()));
    Path dir = Files.createTempDirectory(TestInfra.scratch(), "cli");
    config = TestConfigs.json(dir.resolve("farm"));
    cli = new CliProcess(config, dir);
  }

  @AfterAll
  static void stop() {
    db.close();
    vertx.close();
  }

  @Test
  void helpListsEveryCommandAndTheExitCodesAndUnknownCommandsAreUsageErrors() throws Exception {
    CliProcess.Result help = cli.run("--help");
    assertEquals(0, help.exit(), help.toString());
    for (String command : new String[] {"serve", "check-config", "doctor", "provision", "tasks", "wikis", "prune",
        "help", "--conf", "--set", "Exit codes:", "invalid configuration or usage"}) {
      assertTrue(help.out().contains(command), command + " in\n" + help);
    }
    CliProcess.Result provisionHelp = cli.run("help", "provision");
    assertEquals(0, provisionHelp.exit(), provisionHelp.toString());
    assertTrue(provisionHelp.out().contains("--owner-id") && provisionHelp.out().contains("130"), provisionHelp.toString());
    CliProcess.Result version = cli.run("--version");
    assertEquals(0, version.exit(), version.toString());
    assertTrue(version.out().startsWith("wikifarm-provisioner ") && version.out().contains("Vert.x 5."), version.toString());
    CliProcess.Result unknown = cli.run("frobnicate");
    assertEquals(2, unknown.exit(), unknown.toString());
    assertTrue(unknown.err().contains("frobnicate"), unknown.toString());
  }

  @Test
  void checkConfigPrintsOneRowPerKeyWithItsLayerAndNoSecret() throws Exception {
    CliProcess.Result r = cli.run("check-config", "--bind", "127.0.0.1:18081", "--set", "worker.transient-retry=45s");
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().matches("(?s).*\nhttp\\.bind +BIND_ADDR +flag +127\\.0\\.0\\.1:18081\n.*"), r.toString());
    assertTrue(r.out().matches("(?s).*\nworker\\.transient-retry +- +flag +45s\n.*"), r.toString());
    assertTrue(r.out().matches("(?s).*\nfarm\\.root-host +WIKI_ROOT_HOST +file +wiki\\.test\n.*"), r.toString());
    assertTrue(r.out().matches("(?s).*\nsse\\.heartbeat +- +default +15s\n.*"), r.toString());
    assertTrue(r.out().matches("(?s).*\nwiki-db\\.admin-password +WIKI_DB_ADMIN_PASSWORD +file +<redacted>\n.*"),
        r.toString());
    assertTrue(r.out().contains("mysql://" + EmbeddedMariaDb.APP_USER + ":<redacted>@"), r.toString());
    assertFalse(r.out().contains(EmbeddedMariaDb.APP_PASSWORD) || r.out().contains(EmbeddedMariaDb.ADMIN_PASSWORD),
        "no secret is printed");
  }

  @Test
  void typosAndUnknownSetKeysAreRejectedWithSuggestionsAllAtOnce() throws Exception {
    JsonObject typos = config.copy();
    typos.put("htp", new JsonObject().put("bind", "127.0.0.1:9000"));
    typos.getJsonObject("worker").put("concurency", 4);
    typos.getJsonObject("farm").remove("root-host");
    Path dir = Files.createTempDirectory(TestInfra.scratch(), "typos");
    CliProcess.Result r = new CliProcess(typos, dir).run("check-config", "--set", "nonsense.key=1",
        "--set", "executor.comand-timeout=5m");
    assertEquals(2, r.exit(), r.toString());
    for (String expected : new String[] {"unknown section 'htp' in ", "did you mean 'http'?",
        "unknown key 'worker.concurency'", "did you mean 'worker.concurrency'?", "unknown section 'nonsense' in --set",
        "unknown key 'executor.comand-timeout' in --set; did you mean 'executor.command-timeout'?",
        "farm.root-host (WIKI_ROOT_HOST) is required"}) {
      assertTrue(r.err().contains(expected), expected + " in\n" + r);
    }
    assertEquals("", r.out());
  }

  @Test
  void serveWaitsForADatabaseThatIsDownThenExitsOneNotAsAConfigurationError() throws Exception {
    JsonObject down = config.copy();
    int closed;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    down.getJsonObject("database").put("url", "mysql://u:hidden-pw-5@127.0.0.1:" + closed + "/mediawiki")
        .put("connect-timeout", "2s");
    down.getJsonObject("http").put("bind", "127.0.0.1:0");
    CliProcess.Result r = new CliProcess(down, Files.createTempDirectory(TestInfra.scratch(), "down")).run("serve");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("does not answer yet") && r.err().contains("retrying for up to 2s"), "logged: " + r);
    assertTrue(r.err().contains("did not answer within 2s"), r.toString());
    assertFalse(r.err().contains("invalid configuration") || r.err().contains("hidden-pw-5"), r.toString());
  }

  @Test
  void tasksAndWikisShowWhatProvisionCreatedAndFeaturingChangesTheRow() throws Exception {
    CliProcess.Result created = cli.run("provision", "--name", "Listed Wiki", "--slug", "listed-wiki", "--owner-id",
        "9", "--owner-name", "Bob");
    assertEquals(0, created.exit(), created.toString());
    String taskId = ProvisionCommandTest.taskId(created);

    CliProcess.Result list = cli.run("tasks", "list");
    assertEquals(0, list.exit(), list.toString());
    assertTrue(list.out().matches("(?s).*\n" + taskId + " +create_wiki +succeeded +100% +listed-wiki .*"), list.toString());
    CliProcess.Result json = cli.run("tasks", "list", "--status", "succeeded", "--json");
    assertTrue(new JsonArray(json.out()).stream().anyMatch(t -> ((JsonObject) t).getString("id").equals(taskId)),
        json.toString());

    CliProcess.Result show = cli.run("tasks", "show", taskId);
    assertEquals(0, show.exit(), show.toString());
    for (String expected : new String[] {"status    succeeded, 100%", "message   wiki created", "owner     Bob (id 9)",
        "phases (from the event journal):", "  dir_copy ", "  db_provision ", "  index "}) {
      assertTrue(show.out().contains(expected), expected + " in\n" + show);
    }
    CliProcess.Result none = cli.run("tasks", "show", "00000000-0000-0000-0000-000000000000");
    assertEquals(1, none.exit(), none.toString());

    CliProcess.Result wikis = cli.run("wikis", "list");
    assertTrue(wikis.out().matches("(?s).*\nlisted-wiki +ready +public +no +Bob \\(9\\) .*"), wikis.toString());
    assertEquals(0, cli.run("wikis", "feature", "listed-wiki").exit());
    assertEquals(1, db.count("SELECT is_featured FROM wikifarm_wikis WHERE slug = 'listed-wiki'"));
    CliProcess.Result unfeature = cli.run("wikis", "unfeature", "listed-wiki");
    assertEquals(0, unfeature.exit(), unfeature.toString());
    assertTrue(unfeature.err().contains("\"action\":\"wiki.unfeature\""), "audited: " + unfeature);
    assertEquals(0, db.count("SELECT is_featured FROM wikifarm_wikis WHERE slug = 'listed-wiki'"));
    CliProcess.Result missing = cli.run("wikis", "feature", "no-such-wiki");
    assertEquals(1, missing.exit(), missing.toString());
    assertTrue(missing.err().contains("no wiki with the slug 'no-such-wiki'"), missing.toString());
  }

  @Test
  void pruneRemovesOnlyKeysThatOutlivedTheirUse() throws Exception {
    // a prefix of its own: other tests' tasks (whose rows may be truncated) must not count here
    String prefix = "prune-test-" + ProcessHandle.current().pid() + ":";
    db.query("INSERT INTO wikifarm_tasks (id, type, status, progress, created_by_user_id, created_by_username, "
        + "finished_at) VALUES ('prune-done-0000-0000-000000000000', 'create_wiki', 'succeeded', 100, 1, 'x', "
        + "UTC_TIMESTAMP()), ('prune-runs-0000-0000-000000000000', 'create_wiki', 'running', 40, 1, 'x', NULL)");
    String done = prefix + "task:prune-done-0000-0000-000000000000:";
    String runs = prefix + "task:prune-runs-0000-0000-000000000000:";
    String gone = prefix + "task:prune-gone-0000-0000-000000000000:";
    await(redis.rpush(List.of(done + "ledger", "{}")));            // an ended task's ledger: removed
    await(redis.set(List.of(done + "spec", "{}")));                // an ended task's extras: removed
    await(redis.rpush(List.of(runs + "ledger", "{}")));            // a running task's ledger: kept
    await(redis.xadd(List.of(gone + "events", "*", "e", "{}")));   // the journal of a task MariaDB lacks: removed
    await(redis.set(List.of(prefix + "idem:1:forever", "{\"state\":\"done\"}")));              // no TTL: removed
    await(redis.set(List.of(prefix + "idem:1:fresh", "{\"state\":\"done\"}", "EX", "3600"))); // kept

    CliProcess.Result dry = cli.run("prune", "--dry-run", "--set", "redis.key-prefix=" + prefix);
    assertEquals(0, dry.exit(), dry.toString());
    assertTrue(dry.out().contains("would remove 1 journal(s), 1 ledger key(s), 1 task extra(s), 1 idempotency key(s)"),
        dry.toString());
    assertEquals(1L, await(redis.exists(List.of(done + "ledger"))).toLong(), "a dry run removes nothing");

    CliProcess.Result r = cli.run("prune", "--set", "redis.key-prefix=" + prefix);
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("removed 1 journal(s), 1 ledger key(s), 1 task extra(s), 1 idempotency key(s)"),
        r.toString());
    assertEquals(0L, await(redis.exists(List.of(done + "ledger", done + "spec", gone + "events",
        prefix + "idem:1:forever"))).toLong());
    assertEquals(2L, await(redis.exists(List.of(runs + "ledger", prefix + "idem:1:fresh"))).toLong());
  }

  private static Response await(io.vertx.core.Future<Response> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
