package org.wikifarm.provisioner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * {@code reconcile} as a real process against the embedded MariaDB: orphans of every kind planted next to
 * unmarked look-alikes and live resources (a wiki that {@code provision} made, and rows planted with their
 * marked resources). The dry run lists exactly the orphans; {@code --apply} removes exactly them, leaves every
 * other file, database, user, grant and table as it was, and audits each removal; a second run finds none.
 * Each test has its own farm and database name prefix, so nothing of other tests' is in view.
 */
class ReconcileCommandTest {
  private static TestDb db;

  @BeforeAll
  static void connect() throws Exception {
    db = new TestDb();
    TestInfra.truncateMetadata(); // other tests' ready wikis would read as "missing" in this farm
  }

  @AfterAll
  static void disconnect() {
    db.close();
  }

  @Test
  void dryRunListsExactlyTheOrphansAndApplyRemovesExactlyThem() throws Exception {
    Path dir = Files.createTempDirectory(TestInfra.scratch(), "reconcile");
    Path farm = dir.resolve("farm");
    JsonObject config = TestConfigs.json(farm);
    config.getJsonObject("wiki-db").put("name-prefix", "rcn_");
    CliProcess cli = new CliProcess(config, dir);
    Path wikis = farm.resolve("wikis");
    Path keys = farm.resolve("oauth");

    // live: a ready wiki made by the real pipeline (its dirs, database and user all carry its task's marker)
    CliProcess.Result made = cli.run("provision", "--name", "Live", "--slug", "rc-live", "--owner-id", "5",
        "--owner-name", "Carol");
    assertEquals(0, made.exit(), made.toString());
    String live = ProvisionCommandTest.taskId(made);
    // live: a running task's partial copy and database (its wiki row is pending)
    String running = task("running", wiki("rc-busy", "pending"));
    markedDir(wikis.resolve(".rc-busy." + running + ".partial"), running);
    markedDatabase("rcn_rc_busy", running, true);
    // live: a wiki whose deletion failed keeps its row ('failed') and what is left of it
    String stuck = task("succeeded", wiki("rc-stuck", "failed"));
    markedDir(wikis.resolve("rc-stuck"), stuck);
    markedDatabase("rcn_rc_stuck", stuck, true);
    // report only: a ready wiki with nothing on disk or in the database server
    task("succeeded", wiki("rc-lost", "ready"));

    // orphans: a failed task's leftovers (its wiki row is gone), a task MariaDB has no row of, a finished
    // deletion's leftover key directory, and a partial copy of the ready wiki's task, which has ended
    String failed = task("failed", null);
    String unknown = UUID.randomUUID().toString();
    String deleted = task("succeeded", null);
    markedDir(wikis.resolve("rc-gone"), failed);
    markedDir(keys.resolve("rc-gone"), failed);
    markedDir(keys.resolve(".rc-gone." + failed + ".partial"), failed);
    markedDatabase("rcn_rc_gone", failed, true);
    markedDir(wikis.resolve("rc-ghost"), unknown);
    markedDatabase("rcn_rc_ghost", unknown, true);
    markedDir(keys.resolve("rc-deleted"), deleted);
    markedDir(wikis.resolve(".rc-live." + live + ".partial"), live);

    // look-alikes without this farm's proof: never removed
    Files.writeString(Files.createDirectories(wikis.resolve("rc-handmade")).resolve("LocalSettings.php"), "<?php\n");
    Files.createDirectories(keys.resolve("rc-handmade-keys"));
    Files.writeString(Files.createDirectories(wikis.resolve("rc-odd")).resolve(".wikifarm-task"), "someone else\n");
    Files.createDirectories(wikis.resolve(".rc-half." + failed + ".partial")); // crash before its marker
    Path outside = markedDir(dir.resolve("outside").resolve("rc-linked"), failed);
    Files.createSymbolicLink(wikis.resolve("rc-linked"), outside); // links are never followed
    Files.writeString(wikis.resolve("rc-file"), "not a directory\n");
    admin("CREATE DATABASE rcn_nocomment");
    admin("CREATE TABLE rcn_nocomment.page (id INT PRIMARY KEY, title VARCHAR(20))");
    admin("INSERT INTO rcn_nocomment.page VALUES (1, 'kept')");
    admin("CREATE DATABASE rcn_otherfarm COMMENT 'otherfarm task " + failed + "'");
    admin("CREATE USER 'rcn_lonely'@'%' IDENTIFIED BY 'pw-lonely-1'");
    markedDatabase("other_ghost", unknown, true); // another farm's prefix: not this farm's to judge

    Set<String> orphans = Set.of(
        "wiki_dir " + wikis.resolve("rc-gone") + " " + failed,
        "key_dir " + keys.resolve("rc-gone") + " " + failed,
        "partial_dir " + keys.resolve(".rc-gone." + failed + ".partial") + " " + failed,
        "database rcn_rc_gone " + failed,
        "db_user rcn_rc_gone " + failed,
        "wiki_dir " + wikis.resolve("rc-ghost") + " " + unknown,
        "database rcn_rc_ghost " + unknown,
        "db_user rcn_rc_ghost " + unknown,
        "key_dir " + keys.resolve("rc-deleted") + " " + deleted,
        "partial_dir " + wikis.resolve(".rc-live." + live + ".partial") + " " + live);
    Set<String> unproven = Set.of("wiki_dir " + wikis.resolve("rc-handmade"), "key_dir " + keys.resolve("rc-handmade-keys"),
        "wiki_dir " + wikis.resolve("rc-odd"), "partial_dir " + wikis.resolve(".rc-half." + failed + ".partial"),
        "database rcn_nocomment", "database rcn_otherfarm", "db_user rcn_lonely");
    Set<String> missing = Set.of("wiki_dir " + wikis.resolve("rc-lost"), "key_dir " + keys.resolve("rc-lost"),
        "database rcn_rc_lost");

    CliProcess.Result dry = cli.run("reconcile", "--json");
    assertEquals(0, dry.exit(), dry.toString());
    JsonObject report = new JsonObject(dry.out());
    assertEquals(orphans, findings(report, "orphan", true), dry.toString());
    assertEquals(unproven, findings(report, "unproven", false), dry.toString());
    assertEquals(missing, findings(report, "missing", false), dry.toString());

    CliProcess.Result table = cli.run("reconcile");
    assertEquals(0, table.exit(), table.toString());
    assertTrue(table.out().matches("(?s)FINDING +KIND +NAME +TASK +WHY\n.*"), table.toString());
    assertTrue(table.out().matches("(?s).*\norphan +database +rcn_rc_gone +" + failed
        + " +task failed, its wiki row is gone\n.*"), table.toString());
    assertTrue(table.out().matches("(?s).*\norphan +database +rcn_rc_ghost +" + unknown + " +its task has no row\n.*"),
        table.toString());
    assertTrue(table.out().matches("(?s).*\nunproven +db_user +rcn_lonely +- +no database of its name.*"), table.toString());
    assertTrue(table.out().contains("\n10 orphan(s); reconcile --apply removes them and nothing else\n"), table.toString());

    Map<String, String> filesBefore = files(dir);
    Map<String, String> databaseBefore = databaseState();
    CliProcess.Result applied = cli.run("reconcile", "--apply");
    assertEquals(0, applied.exit(), applied.toString());
    assertTrue(applied.out().contains("removed 10 of 10 orphan(s); 3 missing and 7 unproven finding(s) left alone"),
        applied.toString());
    assertTrue(applied.out().matches("(?s).*\nremoved +db_user +rcn_rc_gone +" + failed + " .*"), applied.toString());

    // exactly the orphans are gone: everything else is as it was, byte for byte
    Map<String, String> filesExpected = new TreeMap<>(filesBefore);
    for (String gone : new String[] {"farm/wikis/rc-gone", "farm/oauth/rc-gone", "farm/oauth/.rc-gone." + failed
        + ".partial", "farm/wikis/rc-ghost", "farm/oauth/rc-deleted", "farm/wikis/.rc-live." + live + ".partial"}) {
      assertTrue(filesExpected.containsKey(gone), gone);
      filesExpected.keySet().removeIf(p -> p.equals(gone) || p.startsWith(gone + "/"));
    }
    assertEquals(filesExpected, files(dir));
    Map<String, String> databaseExpected = new TreeMap<>(databaseBefore);
    for (String gone : new String[] {"database rcn_rc_gone", "database rcn_rc_ghost", "user rcn_rc_gone",
        "user rcn_rc_ghost", "grants rcn_rc_gone", "grants rcn_rc_ghost"}) {
      assertTrue(databaseExpected.remove(gone) != null, gone);
    }
    assertEquals(databaseExpected, databaseState());

    // one audit line per removal, by the operator
    Set<String> audited = applied.err().lines().filter(l -> l.contains("\"action\":\"reconcile.remove\""))
        .map(l -> new JsonObject(l.substring(l.indexOf('{'))))
        .peek(a -> assertEquals("operator", a.getString("actor"), a.encode()))
        .peek(a -> assertEquals("ok", a.getString("outcome"), a.encode()))
        .map(a -> a.getString("target").replaceFirst(":", " ") + " " + a.getJsonObject("details").getString("task"))
        .collect(Collectors.toSet());
    assertEquals(orphans, audited, applied.toString());

    CliProcess.Result again = cli.run("reconcile", "--json");
    assertEquals(0, again.exit(), again.toString());
    JsonObject after = new JsonObject(again.out());
    assertEquals(Set.of(), findings(after, "orphan", true), again.toString());
    assertEquals(unproven, findings(after, "unproven", false), again.toString());
    CliProcess.Result nothing = cli.run("reconcile", "--apply");
    assertEquals(0, nothing.exit(), nothing.toString());
    assertTrue(nothing.out().contains("removed 0 of 0 orphan(s)"), nothing.toString());
    assertEquals(filesExpected, files(dir));

    CliProcess.Result help = cli.run("--help");
    assertTrue(help.out().contains("reconcile"), help.toString());
  }

  /**
   * An orphan database that a provisioning session holds db_provision's lock of is left alone (the user too):
   * those removals fail, the others go ahead, the exit code is 1, and each failure is audited as such.
   */
  @Test
  void aDatabaseUnderAProvisioningLockIsLeftAloneAndTheRunExitsOne() throws Exception {
    Path dir = Files.createTempDirectory(TestInfra.scratch(), "reconcile-lock");
    JsonObject config = TestConfigs.json(dir.resolve("farm"));
    config.getJsonObject("wiki-db").put("name-prefix", "rcl_");
    CliProcess cli = new CliProcess(config, dir);
    String failed = task("failed", null);
    Path orphanDir = markedDir(dir.resolve("farm").resolve("wikis").resolve("rc-locked"), failed);
    markedDatabase("rcl_rc_locked", failed, true);

    Vertx vertx = Vertx.vertx();
    try {
      MySQLConnection session = MySQLConnection.connect(vertx, new MySQLConnectOptions().setHost("127.0.0.1")
          .setPort(TestInfra.mariaDb().port()).setUser(EmbeddedMariaDb.ADMIN_USER)
          .setPassword(EmbeddedMariaDb.ADMIN_PASSWORD)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      // the name DbAdminSession.lock gives this database
      String lock = "wikifarm:db:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest("rcl_rc_locked".getBytes(StandardCharsets.UTF_8)));
      Row got = session.preparedQuery("SELECT GET_LOCK(?, 5)").execute(Tuple.of(lock)).toCompletionStage()
          .toCompletableFuture().get(30, TimeUnit.SECONDS).iterator().next();
      assertEquals(1L, got.getLong(0));

      CliProcess.Result r = cli.run("reconcile", "--apply");
      assertEquals(1, r.exit(), r.toString());
      assertTrue(r.out().contains("removed 1 of 3 orphan(s), 2 failed"), r.toString());
      assertTrue(r.out().matches("(?s).*\nfailed +database +rcl_rc_locked +" + failed + " +a task holds the lock of database rcl_rc_locked; left alone.*"),
          r.toString());
      assertFalse(Files.exists(orphanDir));
      assertEquals(1, db.count("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'rcl_rc_locked'"));
      assertEquals(1, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = 'rcl_rc_locked'"));
      assertEquals(2, r.err().lines().filter(l -> l.contains("\"action\":\"reconcile.remove\"")
          && l.contains("\"outcome\":\"failed\"")).count(), r.toString());
      session.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      vertx.close();
    }
    CliProcess.Result retry = cli.run("reconcile", "--apply");
    assertEquals(0, retry.exit(), retry.toString());
    assertTrue(retry.out().contains("removed 2 of 2 orphan(s)"), retry.toString());
    assertEquals(0, db.count("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'rcl_rc_locked'"));
  }

  // --- planting

  private static long wiki(String slug, String status) throws Exception {
    db.query("INSERT INTO wikifarm_wikis (name, slug, language, owner_user_id, owner_username, status) "
        + "VALUES (?, ?, 'en', 5, 'Carol', ?)", slug, slug, status);
    return db.count("SELECT id FROM wikifarm_wikis WHERE slug = ?", slug);
  }

  /** A create task in {@code status} pointing at the wiki row {@code wikiId} (null: none); returns its id. */
  private static String task(String status, Long wikiId) throws Exception {
    String id = UUID.randomUUID().toString();
    db.query("INSERT INTO wikifarm_tasks (id, type, status, progress, wiki_id, created_by_user_id, "
        + "created_by_username) VALUES (?, 'create_wiki', ?, 0, ?, 5, 'Carol')", id, status, wikiId);
    return id;
  }

  /** A directory with content and the marker of {@code taskId}, as a task leaves it. */
  private static Path markedDir(Path dir, String taskId) throws Exception {
    Files.createDirectories(dir.resolve("sub"));
    Files.writeString(dir.resolve(".wikifarm-task"), "wikifarm task " + taskId + "\n");
    Files.writeString(dir.resolve("pubwiki.ini"), "WIKI_SITE_NAME=\"x\"\n");
    Files.writeString(dir.resolve("sub").resolve("file.txt"), "content of " + dir.getFileName());
    Files.setPosixFilePermissions(dir.resolve("pubwiki.ini"), PosixFilePermissions.fromString("rw-r-----"));
    return dir;
  }

  /** A database with {@code taskId}'s marker as its COMMENT, a table with a row, and (optionally) its user. */
  private static void markedDatabase(String name, String taskId, boolean withUser) throws Exception {
    admin("CREATE DATABASE `" + name + "` COMMENT 'wikifarm task " + taskId + "'");
    admin("CREATE TABLE `" + name + "`.page (id INT PRIMARY KEY, title VARCHAR(20))");
    admin("INSERT INTO `" + name + "`.page VALUES (1, 'main')");
    if (withUser) {
      admin("CREATE USER '" + name + "'@'%' IDENTIFIED BY 'pw-" + name + "'");
      admin("GRANT ALL PRIVILEGES ON `" + name.replace("_", "\\_") + "`.* TO '" + name + "'@'%'");
    }
  }

  private static void admin(String statement) throws Exception {
    TestInfra.mariaDb().run(statement, null);
  }

  // --- observing

  /** "kind name [task]" of every finding of one sort. */
  private static Set<String> findings(JsonObject report, String finding, boolean withTask) {
    return report.getJsonArray("findings").stream().map(JsonObject.class::cast)
        .filter(f -> f.getString("finding").equals(finding))
        .map(f -> f.getString("kind") + " " + f.getString("name") + (withTask ? " " + f.getString("task") : ""))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Every path under {@code root} (links not followed) with its type, mode and content hash or link target. */
  private static Map<String, String> files(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.filter(p -> !p.getFileName().toString().matches("(cli|out|err)-.*")).toList()) {
        String state;
        if (Files.isSymbolicLink(p)) {
          state = "link " + Files.readSymbolicLink(p);
        } else {
          String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
          state = Files.isDirectory(p) ? "dir " + mode : "file " + mode + " "
              + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        }
        out.put(root.relativize(p).toString(), state);
      }
    }
    return out;
  }

  /** The databases and users of the planted prefixes, with COMMENTs, grants and table checksums. */
  private static Map<String, String> databaseState() throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (Row r : db.query("SELECT SCHEMA_NAME, SCHEMA_COMMENT FROM information_schema.SCHEMATA "
        + "WHERE SCHEMA_NAME LIKE 'rcn|_%' ESCAPE '|' OR SCHEMA_NAME LIKE 'other|_%' ESCAPE '|'")) {
      String name = r.getString(0);
      StringBuilder state = new StringBuilder("comment=" + r.getString(1));
      for (Row t : db.query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
          + "ORDER BY TABLE_NAME", name)) {
        Row sum = db.query("CHECKSUM TABLE `" + name + "`.`" + t.getString(0) + "`").iterator().next();
        state.append(' ').append(t.getString(0)).append('=').append(sum.getValue(1));
      }
      out.put("database " + name, state.toString());
    }
    for (Row r : db.query("SELECT User FROM mysql.user WHERE User LIKE 'rcn|_%' ESCAPE '|' AND Host = '%'")) {
      String user = r.getString(0);
      out.put("user " + user, "exists");
      StringBuilder grants = new StringBuilder();
      db.query("SHOW GRANTS FOR '" + user + "'@'%'").forEach(g -> grants.append(g.getString(0)).append('\n'));
      out.put("grants " + user, grants.toString());
    }
    return out;
  }
}
