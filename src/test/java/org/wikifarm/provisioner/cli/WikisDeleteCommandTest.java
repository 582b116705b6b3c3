package org.wikifarm.provisioner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * {@code wikis delete} as a real process against the embedded MariaDB and Redis with the local executor: the
 * operator deletes a wiki that {@code provision} created for another user (no owner check), through the same
 * {@code delete_wiki} pipeline as the API, and everything the wiki had is gone; the other rules still hold.
 */
class WikisDeleteCommandTest {
  private static final Pattern TASK_ID = Pattern.compile("task ([0-9a-f-]{36}): deleting wiki");
  private static TestDb db;
  private static CliProcess cli;
  private static Path farm;

  @BeforeAll
  static void start() throws Exception {
    db = new TestDb();
    Path dir = Files.createTempDirectory(TestInfra.scratch(), "wdelete");
    farm = dir.resolve("farm");
    JsonObject json = TestConfigs.json(farm);
    json.getJsonObject("executor").put("install-commands",
        new JsonArray().add(new JsonArray().add("sh").add("-c").add("echo installing")));
    cli = new CliProcess(json, dir);
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @BeforeEach
  void emptyQueue() throws Exception {
    TestInfra.truncateMetadata();
  }

  @Test
  void theOperatorDeletesAnyOwnersWikiAndEverythingItHadIsGone() throws Exception {
    CliProcess.Result created = cli.run("provision", "--name", "Doomed", "--slug", "doomed-wiki", "--owner-id", "7",
        "--owner-name", "Alice", "--plain");
    assertEquals(0, created.exit(), created.toString());
    assertTrue(Files.isDirectory(farm.resolve("wikis/doomed-wiki")), "the wiki directory exists first");
    assertEquals(1, db.count("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'wiki_doomed_wiki'"));

    // busy: still being created (or already being deleted) is refused, and nothing is queued
    db.query("UPDATE wikifarm_wikis SET status = 'pending' WHERE slug = 'doomed-wiki'");
    CliProcess.Result busy = cli.run("wikis", "delete", "doomed-wiki", "--plain");
    assertEquals(1, busy.exit(), busy.toString());
    assertTrue(busy.err().contains("wiki_busy") && busy.err().contains("still being created"), busy.toString());
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_tasks WHERE type = 'delete_wiki'"));
    db.query("UPDATE wikifarm_wikis SET status = 'ready' WHERE slug = 'doomed-wiki'");

    CliProcess.Result r = cli.run("wikis", "delete", "doomed-wiki", "--plain");
    assertEquals(0, r.exit(), r.toString());
    assertFalse(r.out().contains("\033[") || r.out().contains("\r"), "plain lines: " + r);
    for (String expected : new String[] {"drop_db", "remove_keys", "remove_dir", "100%",
        "wiki 'doomed-wiki' is deleted; the slug is free"}) {
      assertTrue(r.out().contains(expected), expected + " in\n" + r);
    }
    assertTrue(r.err().contains("\"actor\":\"operator\",\"action\":\"wiki.delete\",\"target\":\"wiki:doomed-wiki\","
        + "\"outcome\":\"queued\""), "audited as the operator: " + r);
    String taskId = taskId(r);
    Row task = db.query("SELECT type, status, created_by_user_id, created_by_username FROM wikifarm_tasks WHERE id = ?",
        taskId).iterator().next();
    assertEquals("delete_wiki", task.getString("type"));
    assertEquals("succeeded", task.getString("status"));
    assertEquals(0L, task.getLong("created_by_user_id"));
    assertEquals("operator", task.getBuffer("created_by_username").toString());

    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE slug = 'doomed-wiki'"), "the row is gone");
    assertEquals(0, db.count("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'wiki_doomed_wiki'"),
        "database dropped");
    assertEquals(0, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = 'wiki_doomed_wiki'"), "user dropped");
    assertFalse(Files.exists(farm.resolve("wikis/doomed-wiki")), "wiki directory removed");
    assertFalse(Files.exists(farm.resolve("oauth/doomed-wiki")), "key directory removed");

    // the slug is free: the same slug can be created again
    CliProcess.Result again = cli.run("provision", "--name", "Reborn", "--slug", "doomed-wiki", "--owner-id", "8",
        "--owner-name", "Bob", "--plain");
    assertEquals(0, again.exit(), again.toString());
  }

  @Test
  void anUnknownSlugIsExit1WithAClearMessageAndQueuesNothing() throws Exception {
    CliProcess.Result r = cli.run("wikis", "delete", "no-such");
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.err().contains("no wiki with the slug 'no-such'"), r.toString());
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_tasks"));
  }

  /** A metadata database with the tables and the slug index but not the v2 migration: exit 2 naming its file. */
  @Test
  void withoutTheV2MigrationItIsExit2NamingTheMigrationFile() throws Exception {
    EmbeddedMariaDb m = TestInfra.mariaDb();
    String database = "schema_v1_cli_delete";
    m.run("DROP DATABASE IF EXISTS " + database + "; CREATE DATABASE " + database, null);
    m.source(Path.of("sql", "tables.sql"), database);
    m.source(Path.of("sql", "migrations", "20250928_add_unique_index_wikifarm_wikis_slug.sql"), database);
    try {
      m.run("INSERT INTO wikifarm_wikis (name, slug, language, owner_user_id, owner_username, status) "
          + "VALUES ('Old', 'old-wiki', 'en', 7, 'Alice', 'ready')", database);
      Path dir = Files.createTempDirectory(TestInfra.scratch(), "wdelete-v1");
      JsonObject json = TestConfigs.json(dir.resolve("farm"));
      json.getJsonObject("database").put("url", "mysql://" + EmbeddedMariaDb.ADMIN_USER + ":"
          + EmbeddedMariaDb.ADMIN_PASSWORD + "@127.0.0.1:" + m.port() + "/" + database);
      CliProcess.Result r = new CliProcess(json, dir).run("wikis", "delete", "old-wiki", "--plain");
      assertEquals(2, r.exit(), r.toString());
      assertTrue(r.err().contains("migration_required")
          && r.err().contains("sql/migrations/20261126_wikifarm_tasks_delete_and_spec.sql"), r.toString());
      assertEquals(1, db.count("SELECT COUNT(*) FROM " + database + ".wikifarm_wikis WHERE status = 'ready'"),
          "nothing changed");
    } finally {
      m.run("DROP DATABASE IF EXISTS " + database, null);
    }
  }

  @Test
  void helpDescribesTheDeleteAndItsExitCodes() throws Exception {
    CliProcess.Result help = cli.run("wikis", "delete", "--help");
    assertEquals(0, help.exit(), help.toString());
    for (String expected : new String[] {"SLUG", "--plain", "forward-only", "Exit codes:", "migration"}) {
      assertTrue(help.out().contains(expected), expected + " in\n" + help);
    }
    CliProcess.Result wikis = cli.run("wikis", "--help");
    assertTrue(wikis.out().contains("delete"), wikis.toString());
  }

  private static String taskId(CliProcess.Result r) {
    Matcher m = TASK_ID.matcher(r.out());
    assertTrue(m.find(), "the task id is printed: " + r);
    return m.group(1);
  }
}
