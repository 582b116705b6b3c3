package org.wikifarm.provisioner.provision.phases;

import org.wikifarm.provisioner.support.IniFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.provision.InMemoryLedger;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.provision.Redactor;
import org.wikifarm.provisioner.provision.RollbackLedger;
import org.wikifarm.provisioner.provision.WikiRequest;

/**
 * db_provision against the real embedded MariaDB: real accounts, real privilege checks, no mocks. Every test
 * uses its own random slug because the server is shared by the JVM.
 */
class DbProvisionPhaseTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SHARED = EmbeddedMariaDb.SHARED_DB;
  private static Vertx vertx;
  private static EmbeddedMariaDb db;

  @TempDir
  Path farm;

  @BeforeAll
  static void start() throws Exception {
    db = TestInfra.mariaDb();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  // ---------------------------------------------------------------- happy path

  @Test
  void createsDatabaseAndUserWithExactlyTheExpectedGrants() throws Exception {
    // a slug with '-' so the db name has several '_', which GRANT would read as wildcards unless escaped
    String slug = "ab-" + suffix();
    String password = "pw-" + suffix() + "-" + suffix();
    Task task = task(slug, password);
    String name = task.ctx.dbName();

    task.phase.run(task.ctx);

    assertEquals(List.of(new LedgerEntry("db_provision", "database", name),
        new LedgerEntry("db_provision", "db_user", name)), task.ledger.entries());
    Row schema = adminRows("SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM "
        + "information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", Tuple.of(name)).iterator().next();
    assertEquals("utf8mb4", schema.getString(0));
    assertEquals("utf8mb4_unicode_ci", schema.getString(1));

    Set<String> grants = new HashSet<>();
    for (Row row : adminRows("SHOW GRANTS FOR '" + name + "'@'%'", Tuple.tuple())) {
      // the USAGE line carries the password hash; it is checked by logging in below
      grants.add(row.getString(0).replaceAll(" IDENTIFIED BY PASSWORD '\\*[0-9A-F]{40}'$", ""));
    }
    String to = " TO `" + name + "`@`%`";
    assertEquals(Set.of(
        "GRANT USAGE ON *.*" + to,
        "GRANT ALL PRIVILEGES ON `" + name.replace("_", "\\_") + "`.*" + to,
        "GRANT SELECT, INSERT, UPDATE ON `" + SHARED + "`.`user`" + to,
        "GRANT SELECT, INSERT, UPDATE ON `" + SHARED + "`.`user_properties`" + to,
        "GRANT SELECT, INSERT, UPDATE ON `" + SHARED + "`.`actor`" + to), grants);

    // A database another wiki could own whose name matches `name` if '_' were a wildcard, and a plain one.
    String lookalike = "wiki_ab" + "x" + name.substring("wiki_ab_".length());
    String other = "wiki_other_" + suffix();
    for (String foreign : List.of(lookalike, other)) {
      db.run("CREATE DATABASE `" + foreign + "`; CREATE TABLE `" + foreign + "`.t (id INT); "
          + "INSERT INTO `" + foreign + "`.t VALUES (7)", null);
    }

    try (Session wiki = login(name, password, name)) {
      wiki.sql("CREATE TABLE page (id INT PRIMARY KEY, title VARCHAR(20))");
      wiki.sql("INSERT INTO page VALUES (1, 'Main')");
      assertEquals("Main", wiki.sql("SELECT title FROM page").iterator().next().getString(0));
      wiki.sql("DROP TABLE page");

      int id = 100000 + RANDOM.nextInt(800000);
      wiki.sql("INSERT INTO `" + SHARED + "`.`user` VALUES (" + id + ", 'U" + id + "')");
      wiki.sql("UPDATE `" + SHARED + "`.`user` SET user_name = 'V" + id + "' WHERE user_id = " + id);
      assertEquals("V" + id, new String(wiki.sql("SELECT user_name FROM `" + SHARED + "`.`user` WHERE user_id = "
          + id).iterator().next().getBuffer(0).getBytes()));
      wiki.sql("INSERT INTO `" + SHARED + "`.user_properties VALUES (" + id + ", 'p', 'v')");
      wiki.sql("UPDATE `" + SHARED + "`.user_properties SET up_value = 'w' WHERE up_user = " + id);
      wiki.sql("SELECT * FROM `" + SHARED + "`.user_properties");
      wiki.sql("INSERT INTO `" + SHARED + "`.actor VALUES (" + id + ", 'A" + id + "')");
      wiki.sql("UPDATE `" + SHARED + "`.actor SET actor_name = 'B" + id + "' WHERE actor_id = " + id);
      wiki.sql("SELECT * FROM `" + SHARED + "`.actor");

      for (String table : List.of("user", "user_properties", "actor")) {
        assertDenied(wiki, "DELETE FROM `" + SHARED + "`.`" + table + "`");
      }
      assertDenied(wiki, "SELECT * FROM `" + SHARED + "`.secret_stuff");
      assertDenied(wiki, "INSERT INTO `" + SHARED + "`.secret_stuff VALUES (1)");
      assertDenied(wiki, "CREATE TABLE `" + SHARED + "`.mine (id INT)");
      assertDenied(wiki, "SELECT * FROM `" + lookalike + "`.t");
      assertDenied(wiki, "CREATE TABLE `" + lookalike + "`.mine (id INT)");
      assertDenied(wiki, "SELECT * FROM `" + other + "`.t");
      assertDenied(wiki, "CREATE DATABASE `" + name + "_2`");
      assertDenied(wiki, "CREATE USER 'sneaky'@'%'");
    } finally {
      db.run("DROP DATABASE `" + lookalike + "`; DROP DATABASE `" + other + "`", null);
      undoAll(task);
    }
    assertGone(name);
  }

  @Test
  void passwordsWithQuotesBackslashesAndNonAsciiWork() throws Exception {
    List<String> passwords = new ArrayList<>(List.of(
        "a'b\"c\\d;e$f%g",
        "\\'; DROP USER 'farmadmin'@'%'; -- ",
        "ends-with-backslash\\",
        "pä$$wörd-€-日本語-😀",
        "%_%_${HOME}_\\n_\\0"));
    String alphabet = "abcXYZ019'\"\\;$%_ -#`äöü€";
    for (int i = 0; i < 3; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = 0; j < 32; j++) {
        sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
      }
      passwords.add(sb.toString());
    }
    for (String password : passwords) {
      Task task = task("pw-" + suffix(), password);
      try {
        task.phase.run(task.ctx);
        try (Session wiki = login(task.ctx.dbName(), password, task.ctx.dbName())) {
          assertEquals(1L, wiki.sql("SELECT 1").iterator().next().getLong(0), password);
        }
        assertTrue(loginFails(task.ctx.dbName(), password + "x"), "a wrong password must not log in");
      } finally {
        undoAll(task);
      }
      assertGone(task.ctx.dbName());
    }
    // the admin account the injection attempt named is intact
    assertEquals(1L, adminRows("SELECT COUNT(*) FROM mysql.user WHERE User = ?",
        Tuple.of(EmbeddedMariaDb.ADMIN_USER)).iterator().next().getLong(0));
  }

  @Test
  void passwordEscapingFollowsNoBackslashEscapesMode() throws Exception {
    String mode = adminRows("SELECT @@GLOBAL.sql_mode", Tuple.tuple()).iterator().next().getString(0);
    String password = "back\\slash'quote\\'mix";
    Task task = task("nbe-" + suffix(), password);
    db.run("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')", null);
    try {
      task.phase.run(task.ctx);
    } finally {
      db.run("SET GLOBAL sql_mode = '" + mode + "'", null);
    }
    try (Session wiki = login(task.ctx.dbName(), password, task.ctx.dbName())) {
      wiki.sql("SELECT 1");
    } finally {
      undoAll(task);
    }
    assertGone(task.ctx.dbName());
  }

  @Test
  void oneAdminConnectionServesTaskAfterTaskWithoutItsLockOrSettings() throws Exception {
    java.util.Map<String, String> passwords = new java.util.concurrent.ConcurrentHashMap<>();
    DbProvisionPhase phase = new DbProvisionPhase(vertx, c -> passwords.get(c.request().slug()));
    Task first = task("re1-" + suffix(), null);
    Task second = task("re2-" + suffix(), null);
    passwords.put(first.ctx.request().slug(), "pw-" + suffix());
    passwords.put(second.ctx.request().slug(), "back\\slash'" + suffix()); // escaped differently per sql_mode
    String mode = adminRows("SELECT @@GLOBAL.sql_mode", Tuple.tuple()).iterator().next().getString(0);
    Set<Long> before = adminConnections();
    try {
      phase.run(first.ctx);
      Set<Long> kept = new HashSet<>(adminConnections());
      kept.removeAll(before);
      assertEquals(1, kept.size(), "the admin session's connection is kept for the next task: " + kept);
      // released after the phase has returned: the task does not wait for it
      awaitLockFree("wikifarm:db:" + sha1(first.ctx.dbName()),
          "the task's named lock is released although its connection stays");

      // the kept session is reset: it reads the server's sql_mode as it is now, so the password literal is
      // escaped the way the server parses it
      run("SET GLOBAL sql_mode = CONCAT(@@GLOBAL.sql_mode, ',NO_BACKSLASH_ESCAPES')");
      phase.run(second.ctx);
      Set<Long> after = new HashSet<>(adminConnections());
      after.removeAll(before);
      assertEquals(kept, after, "the second task ran on the same connection, and no other was left open");
      for (Task t : List.of(first, second)) {
        try (Session wiki = login(t.ctx.dbName(), passwords.get(t.ctx.request().slug()), t.ctx.dbName())) {
          wiki.sql("SELECT 1"); // right after creation: no FLUSH PRIVILEGES needed
        }
      }
    } finally {
      run("SET GLOBAL sql_mode = '" + mode + "'");
      for (Task t : List.of(second, first)) {
        List<LedgerEntry> entries = new ArrayList<>(t.ledger.entries());
        for (int i = entries.size() - 1; i >= 0; i--) {
          phase.undo(entries.get(i), t.ctx);
        }
      }
    }
    assertGone(first.ctx.dbName());
    assertGone(second.ctx.dbName());
  }

  @Test
  void aTaskRightAfterAnotherWaitsForItsConnectionsResetInsteadOfLoggingInAgain() throws Exception {
    DbProvisionPhase phase = new DbProvisionPhase(vertx, c -> "pw-" + c.request().slug());
    Task first = task("bb1-" + suffix(), null);
    Task second = task("bb2-" + suffix(), null);
    Set<Long> before = adminConnections();
    try {
      phase.run(first.ctx);
      phase.run(second.ctx); // at once: the first session's reset is still on its way
      Set<Long> used = new HashSet<>(adminConnections());
      used.removeAll(before);
      assertEquals(1, used.size(), "both tasks on one connection: " + used);
    } finally {
      undoAll(second);
      undoAll(first);
    }
    assertGone(first.ctx.dbName());
    assertGone(second.ctx.dbName());
  }

  private static void awaitLockFree(String lock, String message) throws Exception {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    while (adminRows("SELECT IS_FREE_LOCK(?)", Tuple.of(lock)).iterator().next().getLong(0) != 1L) {
      assertTrue(System.nanoTime() < deadline, message);
      Thread.sleep(10);
    }
  }

  /** The ids of the admin account's connections, except the one asking. */
  private static Set<Long> adminConnections() throws Exception {
    Set<Long> ids = new HashSet<>();
    adminRows("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = ? AND ID <> CONNECTION_ID()",
        Tuple.of(EmbeddedMariaDb.ADMIN_USER)).forEach(r -> ids.add(r.getLong(0)));
    return ids;
  }

  private static String sha1(String s) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
        .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void passwordWithNulOrMissingPasswordIsRejectedBeforeAnySql() throws Exception {
    Task nul = task("nul-" + suffix(), "abc\0def", cfg -> cfg.put("admin-address", "127.0.0.1:1"));
    ProvisionException e = assertThrows(ProvisionException.class, () -> nul.phase.run(nul.ctx));
    assertTrue(e.getMessage().contains("NUL"), e.getMessage());
    assertFalse(e.getMessage().contains("abc"), e.getMessage());
    assertTrue(nul.ledger.entries().isEmpty());

    Task none = task("none-" + suffix(), null, cfg -> cfg.put("admin-address", "127.0.0.1:1"));
    e = assertThrows(ProvisionException.class, () -> none.phase.run(none.ctx));
    assertTrue(e.getMessage().contains("WIKI_DB_PASSWORD"), e.getMessage());
  }

  // ---------------------------------------------------------------- refusing to adopt

  @Test
  void preexistingDatabaseIsAConflictAndStaysUntouched() throws Exception {
    Task task = task("pre-" + suffix(), "pw-" + suffix());
    String name = task.ctx.dbName();
    createForeignDatabase(name);
    try {
      ProvisionException e = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx));
      assertTrue(e.getMessage().contains("database " + name + " already exists"), e.getMessage());
      assertFalse(e.isTransient());
      assertTrue(task.ledger.entries().isEmpty(), "nothing recorded: " + task.ledger.entries());
      assertEquals(0L, userCount(name));
      undoAll(task);
      // even a ledger that (wrongly) claims it — a stale entry — must not make undo drop another's database
      task.phase.undo(new LedgerEntry("db_provision", "database", name), task.ctx);
      assertForeignDatabaseIntact(name);
    } finally {
      db.run("DROP DATABASE IF EXISTS `" + name + "`", null);
    }
  }

  @Test
  void ledgerClaimWithoutOwnershipMarkerIsStillAConflict() throws Exception {
    // crash after record(database), before CREATE; meanwhile someone else created the database
    Task task = task("claim-" + suffix(), "pw-" + suffix());
    String name = task.ctx.dbName();
    task.ledger.record(new LedgerEntry("db_provision", "database", name));
    createForeignDatabase(name);
    try {
      ProvisionException e = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx));
      assertTrue(e.getMessage().contains("database " + name + " already exists"), e.getMessage());
      undoAll(task);
      assertForeignDatabaseIntact(name);
      assertEquals(0L, userCount(name));
    } finally {
      db.run("DROP DATABASE IF EXISTS `" + name + "`", null);
    }
  }

  @Test
  void databaseCreatedByAnotherActorBetweenCheckAndCreateIsNotDroppedByUndo() throws Exception {
    // the race: the phase found no database, recorded it, and before its CREATE another actor made it
    String slug = "race-" + suffix();
    String name = PhaseContext.dbName("wiki_", slug);
    Task task = task(slug, "pw-" + suffix(), new HookLedger(entry -> {
      if (entry.kind().equals("database")) {
        createForeignDatabase(name);
      }
    }), UnaryOperator.identity());
    try {
      ProvisionException e = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx));
      assertTrue(e.getMessage().contains("database " + name + " already exists"), e.getMessage());
      assertTrue(task.ledger.has("database", name), "the entry was recorded before CREATE");
      undoAll(task);
      assertForeignDatabaseIntact(name);
      assertEquals(0L, userCount(name));
    } finally {
      db.run("DROP DATABASE IF EXISTS `" + name + "`", null);
    }
  }

  @Test
  void preexistingUserIsAConflictAndKeepsWorking() throws Exception {
    Task task = task("usr-" + suffix(), "pw-" + suffix());
    String name = task.ctx.dbName();
    String theirs = "their-" + suffix();
    db.run("CREATE USER '" + name + "'@'%' IDENTIFIED BY '" + theirs + "'", null);
    try {
      ProvisionException e = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx));
      assertTrue(e.getMessage().contains("database user " + name + " already exists"), e.getMessage());
      assertFalse(task.ledger.has("db_user", name), "a foreign user is never recorded");
      undoAll(task);
      assertUserIntact(name, theirs);
      assertSchemaGone(name); // our own database went
    } finally {
      db.run("DROP USER IF EXISTS '" + name + "'@'%'", null);
    }
  }

  @Test
  void userCreatedByAnotherActorBetweenCheckAndCreateIsNotDroppedByUndo() throws Exception {
    String slug = "urace-" + suffix();
    String name = PhaseContext.dbName("wiki_", slug);
    String theirs = "their-" + suffix();
    Task task = task(slug, "pw-" + suffix(), new HookLedger(entry -> {
      if (entry.kind().equals("db_user")) {
        run("CREATE USER '" + name + "'@'%' IDENTIFIED BY '" + theirs + "'");
      }
    }), UnaryOperator.identity());
    try {
      ProvisionException e = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx));
      assertTrue(e.getMessage().contains("database user " + name + " already exists"), e.getMessage());
      assertTrue(task.ledger.has(DbProvisionPhase.KIND_FOREIGN_USER, name), task.ledger.entries().toString());
      undoAll(task);
      assertUserIntact(name, theirs);
      assertSchemaGone(name);
      // a resume of this ledger refuses too instead of adopting the foreign user
      ProvisionException again = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx));
      assertTrue(again.getMessage().contains("database user " + name), again.getMessage());
      undoAll(task);
      assertUserIntact(name, theirs);
    } finally {
      db.run("DROP USER IF EXISTS '" + name + "'@'%'", null);
      db.run("DROP DATABASE IF EXISTS `" + name + "`", null);
    }
  }

  @Test
  void concurrentTasksForOneNameYieldOneWinnerAndTheLoserUndoesNothingOfIt() throws Exception {
    String slug = "conc-" + suffix();
    List<Task> tasks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      tasks.add(task(slug, "pw-" + i + "-" + suffix()));
    }
    // one thread per task, released together, so the check-record-create sequences really overlap
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Throwable>> results = new ArrayList<>();
    for (Task t : tasks) {
      results.add(pool.submit(() -> {
        go.await();
        try {
          t.phase.run(t.ctx);
          return null;
        } catch (Throwable e) {
          return e;
        }
      }));
    }
    go.countDown();
    pool.shutdown();
    Task winner = null;
    String name = tasks.get(0).ctx.dbName();
    try {
      for (int i = 0; i < tasks.size(); i++) {
        Throwable outcome = results.get(i).get(60, TimeUnit.SECONDS);
        if (outcome == null) {
          assertNull(winner, "two tasks both created " + name);
          winner = tasks.get(i);
        } else {
          assertTrue(outcome instanceof ProvisionException p && p.getMessage().contains("already exists"),
              String.valueOf(outcome));
        }
      }
      assertNotNull(winner, "no task won");
      for (Task t : tasks) {
        if (t != winner) {
          undoAll(t);
        }
      }
      try (Session wiki = login(name, winner.password, name)) {
        wiki.sql("CREATE TABLE still_mine (id INT)");
      }
    } finally {
      for (Task t : tasks) {
        undoAll(t);
      }
    }
    assertGone(name);
  }

  @Test
  void adminWithoutCreateUserPrivilegeFailsActionablyWithoutLeakingThePassword() throws Exception {
    String limited = "limited_" + suffix();
    String limitedPassword = "lim-" + suffix();
    db.run("CREATE USER '" + limited + "'@'%' IDENTIFIED BY '" + limitedPassword + "'; "
        + "GRANT CREATE, DROP, SELECT ON *.* TO '" + limited + "'@'%'", null);
    String password = "secret-" + suffix() + "'\\x";
    String slug = "lim-" + suffix();
    Task task = task(slug, password, cfg -> cfg.put("admin-user", limited).put("admin-password", limitedPassword));
    try {
      ProvisionException e = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx));
      assertFalse(e.isTransient());
      assertTrue(e.getMessage().contains("lacks a privilege to create user"), e.getMessage());
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertFalse(String.valueOf(t.getMessage()).contains("secret-"), "password leaked: " + t);
      }
      assertEquals(0L, userCount(task.ctx.dbName()));
      // roll back with the real admin, as an operator's fixed configuration would
      Task fixed = new Task(task.phase, new PhaseContext(task.ctx.request(), task(slug, password).ctx.config(),
          task.ledger, task.ctx.redactor(), line -> { }), task.ledger, password);
      undoAll(fixed);
      assertGone(task.ctx.dbName());
    } finally {
      db.run("DROP USER IF EXISTS '" + limited + "'@'%'", null);
    }
  }

  // ---------------------------------------------------------------- failures and rollback

  @Test
  void crashRightAfterRecordingTheUserRollsBackToNothing() throws Exception {
    String slug = "crash-" + suffix();
    Task task = task(slug, "pw-" + suffix(), new HookLedger(entry -> {
      if (entry.kind().equals("db_user")) {
        throw new IllegalStateException("simulated crash after record(db_user)");
      }
    }), UnaryOperator.identity());
    String name = task.ctx.dbName();
    assertThrows(IllegalStateException.class, () -> task.phase.run(task.ctx));
    assertTrue(task.ledger.has("database", name) && task.ledger.has("db_user", name));
    assertEquals(1L, schemaCount(name), "the database was created before the crash");
    undoAll(task);
    assertGone(name);
    undoAll(task); // undo is idempotent
    assertGone(name);
  }

  @Test
  void missingSharedTableFailsWithItsNameAndRollsBackToNothing() throws Exception {
    Task task = task("tbl-" + suffix(), "pw-" + suffix(), new InMemoryLedger(),
        cfg -> cfg.put("shared-tables", new JsonArray().add("user").add("no_such_table").add("actor")));
    String name = task.ctx.dbName();
    ProvisionException e = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx));
    assertTrue(e.getMessage().contains(SHARED + ".no_such_table"), e.getMessage());
    assertFalse(e.isTransient());
    assertEquals(1L, schemaCount(name));
    assertEquals(1L, userCount(name));
    undoAll(task);
    assertGone(name);
  }

  @Test
  void undoIsIdempotentAfterSuccess() throws Exception {
    Task task = task("idem-" + suffix(), "pw-" + suffix());
    task.phase.run(task.ctx);
    undoAll(task);
    assertGone(task.ctx.dbName());
    undoAll(task);
    assertGone(task.ctx.dbName());
  }

  // ---------------------------------------------------------------- resume

  @Test
  void resumesAfterACrashThatLeftTheDatabaseCreated() throws Exception {
    String slug = "resume-" + suffix();
    String password = "pw-" + suffix();
    boolean[] crash = {true};
    HookLedger ledger = new HookLedger(entry -> {
      if (entry.kind().equals("db_user") && crash[0]) {
        throw new IllegalStateException("simulated crash");
      }
    });
    Task first = task(slug, password, ledger, UnaryOperator.identity());
    assertThrows(IllegalStateException.class, () -> first.phase.run(first.ctx));
    String name = first.ctx.dbName();
    assertEquals(1L, schemaCount(name));
    db.run("CREATE TABLE `" + name + "`.kept (id INT); INSERT INTO `" + name + "`.kept VALUES (1)", null);

    crash[0] = false;
    Task second = task(slug, password, ledger, UnaryOperator.identity(), first.ctx.request().taskId());
    try {
      second.phase.run(second.ctx); // database owned + present, user recorded but absent → created
      try (Session wiki = login(name, password, name)) {
        assertEquals(1, wiki.sql("SELECT id FROM kept").iterator().next().getInteger(0));
      }
      second.phase.run(second.ctx); // and again: user exists and is owned → ALTER USER, re-grant
      try (Session wiki = login(name, password, name)) {
        wiki.sql("SELECT 1 FROM `" + SHARED + "`.actor LIMIT 1");
      }
    } finally {
      undoAll(second);
    }
    assertGone(name);
  }

  @Test
  void resumesWhenTheLedgerHoldsTheDatabaseOfACrashedRun() throws Exception {
    Task task = task("rdb-" + suffix(), "pw-" + suffix());
    String name = task.ctx.dbName();
    // what a crashed earlier attempt of this very task leaves: the entry and the database carrying its marker
    task.ledger.record(new LedgerEntry("db_provision", "database", name));
    db.run("CREATE DATABASE `" + name + "` COMMENT 'wikifarm task " + task.ctx.request().taskId() + "'", null);
    try {
      task.phase.run(task.ctx);
      try (Session wiki = login(name, task.password, name)) {
        wiki.sql("CREATE TABLE t (id INT)");
      }
    } finally {
      undoAll(task);
    }
    assertGone(name);
  }

  @Test
  void anotherTasksDatabaseIsNotAdoptedEvenWithALedgerEntry() throws Exception {
    Task mine = task("oth-" + suffix(), "pw-" + suffix());
    String name = mine.ctx.dbName();
    db.run("CREATE DATABASE `" + name + "` COMMENT 'wikifarm task " + UUID.randomUUID() + "'", null);
    try {
      mine.ledger.record(new LedgerEntry("db_provision", "database", name));
      assertThrows(ProvisionException.class, () -> mine.phase.run(mine.ctx));
      undoAll(mine);
      assertEquals(1L, schemaCount(name));
    } finally {
      db.run("DROP DATABASE IF EXISTS `" + name + "`", null);
    }
  }

  // ---------------------------------------------------------------- input and admin errors

  @Test
  void badIdentifiersAreRejectedBeforeAnySql() throws Exception {
    for (String slug : List.of("a`b", "a'b", "a b", "x;DROP", "ü-ber", "a\"b", "a\\b", "a".repeat(70))) {
      // the admin address is a closed port: any attempt to talk SQL would surface as a connection error
      Task task = task(slug, "pw-" + suffix(), cfg -> cfg.put("admin-address", "127.0.0.1:1"));
      ProvisionException e = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx), slug);
      assertTrue(e.getMessage().startsWith("invalid database name"), e.getMessage());
      assertFalse(e.isTransient());
      assertTrue(task.ledger.entries().isEmpty());
      ProvisionException u = assertThrows(ProvisionException.class,
          () -> task.phase.undo(new LedgerEntry("db_provision", "database", task.ctx.dbName()), task.ctx));
      assertTrue(u.getMessage().startsWith("invalid database name"), u.getMessage());
    }
  }

  @Test
  void wrongAdminPasswordIsPermanentAndActionableWithoutTheSecret() throws Exception {
    String wrong = "wrong-admin-" + suffix();
    Task task = task("adm-" + suffix(), "pw-" + suffix(), cfg -> cfg.put("admin-password", wrong));
    ProvisionException e = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx));
    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("WIKI_DB_ADMIN_USER/WIKI_DB_ADMIN_PASSWORD"), e.getMessage());
    assertFalse(e.getMessage().contains(wrong), e.getMessage());
    assertTrue(task.ledger.entries().isEmpty());
  }

  @Test
  void unreachableServerIsTransient() throws Exception {
    Task task = task("down-" + suffix(), "pw-" + suffix(), cfg -> cfg.put("admin-address", "127.0.0.1:1"));
    ProvisionException e = assertThrows(ProvisionException.class, () -> task.phase.run(task.ctx));
    assertTrue(e.isTransient(), e.getMessage());
    assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
    assertTrue(task.ledger.entries().isEmpty());
  }

  @Test
  void defaultPasswordSourceReadsTheIni() throws Exception {
    // wired end to end: the ini in the wiki dir supplies the password
    Task task = task("ini-" + suffix(), null);
    Files.createDirectories(task.ctx.iniFile().getParent());
    String password = "ini-" + suffix() + "-'$;";
    Files.writeString(task.ctx.iniFile(), "WIKI_DB_PASSWORD = " + IniFile.quote(password) + "\n");
    DbProvisionPhase phase = DbProvisionPhase.readingPasswordFromIni(vertx);
    try {
      phase.run(task.ctx);
      try (Session wiki = login(task.ctx.dbName(), password, task.ctx.dbName())) {
        wiki.sql("SELECT 1");
      }
      assertEquals("x***y", task.ctx.redactor().redact("x" + password + "y"), "the password is registered");
    } finally {
      undoAll(task);
    }
  }

  // ---------------------------------------------------------------- fixtures

  private record Task(DbProvisionPhase phase, PhaseContext ctx, RollbackLedger ledger, String password) {}

  private Task task(String slug, String password) throws Exception {
    return task(slug, password, new InMemoryLedger(), UnaryOperator.identity());
  }

  private Task task(String slug, String password, UnaryOperator<JsonObject> wikiDb) throws Exception {
    return task(slug, password, new InMemoryLedger(), wikiDb);
  }

  private Task task(String slug, String password, RollbackLedger ledger, UnaryOperator<JsonObject> wikiDb)
      throws Exception {
    return task(slug, password, ledger, wikiDb, UUID.randomUUID().toString());
  }

  private Task task(String slug, String password, RollbackLedger ledger, UnaryOperator<JsonObject> wikiDb,
      String taskId) throws Exception {
    JsonObject json = TestConfigs.json(farm);
    wikiDb.apply(json.getJsonObject("wiki-db"));
    AppConfig config = ConfigLoader.fromJson(json);
    PhaseContext ctx = new PhaseContext(new WikiRequest(taskId, 1, "Test wiki", slug, "en", farm.resolve("template")),
        config, ledger, new Redactor(List.of()), line -> { });
    return new Task(new DbProvisionPhase(vertx, c -> password), ctx, ledger, password);
  }

  /** Undoes the ledger newest first, as the Orchestrator does. */
  private static void undoAll(Task task) throws Exception {
    List<LedgerEntry> entries = new ArrayList<>(task.ledger.entries());
    for (int i = entries.size() - 1; i >= 0; i--) {
      task.phase.undo(entries.get(i), task.ctx);
    }
  }

  /** A ledger that runs a hook right after each record() is durable: to inject races and crashes. */
  private static final class HookLedger implements RollbackLedger {
    private final InMemoryLedger inner = new InMemoryLedger();
    private final ThrowingConsumer hook;

    HookLedger(ThrowingConsumer hook) {
      this.hook = hook;
    }

    @Override
    public void record(LedgerEntry entry) {
      inner.record(entry);
      try {
        hook.accept(entry);
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public List<LedgerEntry> entries() {
      return inner.entries();
    }

    @Override
    public void markDone(String phase) {
      inner.markDone(phase);
    }

    @Override
    public Set<String> donePhases() {
      return inner.donePhases();
    }

    @Override
    public void clear() {
      inner.clear();
    }
  }

  @FunctionalInterface
  private interface ThrowingConsumer {
    void accept(LedgerEntry entry) throws Exception;
  }

  private static void createForeignDatabase(String name) throws Exception {
    db.run("CREATE DATABASE `" + name + "`; CREATE TABLE `" + name + "`.pages (id INT, title VARCHAR(20)); "
        + "INSERT INTO `" + name + "`.pages VALUES (42, 'theirs')", null);
  }

  private static void assertForeignDatabaseIntact(String name) throws Exception {
    RowSet<Row> rows = adminRows("SELECT id, title FROM `" + name + "`.pages", Tuple.tuple());
    assertEquals(1, rows.size());
    Row row = rows.iterator().next();
    assertEquals(42, row.getInteger(0));
    assertEquals("theirs", row.getString(1));
  }

  private static void assertUserIntact(String user, String password) throws Exception {
    assertEquals(1L, userCount(user));
    try (Session s = login(user, password, null)) {
      s.sql("SELECT 1");
    }
  }

  private static void run(String sql) throws Exception {
    db.run(sql, null);
  }

  private static void assertGone(String name) throws Exception {
    assertSchemaGone(name);
    assertEquals(0L, userCount(name), "user " + name + " left behind");
  }

  private static void assertSchemaGone(String name) throws Exception {
    assertEquals(0L, schemaCount(name), "database " + name + " left behind");
  }

  private static long schemaCount(String name) throws Exception {
    return adminRows("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", Tuple.of(name))
        .iterator().next().getLong(0);
  }

  private static long userCount(String name) throws Exception {
    return adminRows("SELECT COUNT(*) FROM mysql.user WHERE User = ?", Tuple.of(name)).iterator().next().getLong(0);
  }

  private static RowSet<Row> adminRows(String sql, Tuple params) throws Exception {
    try (Session admin = login(EmbeddedMariaDb.ADMIN_USER, EmbeddedMariaDb.ADMIN_PASSWORD, null)) {
      return params.size() == 0 ? admin.sql(sql) : admin.sql(sql, params);
    }
  }

  private static String suffix() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      sb.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(RANDOM.nextInt(36)));
    }
    return sb.toString();
  }

  /** A session over TCP to the embedded server, like a wiki's PHP would open. */
  private static final class Session implements AutoCloseable {
    private final MySQLConnection conn;

    Session(MySQLConnection conn) {
      this.conn = conn;
    }

    RowSet<Row> sql(String sql) throws Exception {
      return conn.query(sql).execute().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    RowSet<Row> sql(String sql, Tuple params) throws Exception {
      return conn.preparedQuery(sql).execute(params).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
      conn.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static Session login(String user, String password, String database) throws Exception {
    MySQLConnectOptions options = new MySQLConnectOptions().setHost("127.0.0.1").setPort(db.port())
        .setUser(user).setPassword(password).setCharset("utf8mb4");
    if (database != null) {
      options.setDatabase(database);
    }
    return new Session(MySQLConnection.connect(vertx, options).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS));
  }

  private static boolean loginFails(String user, String password) {
    try (Session s = login(user, password, null)) {
      return false;
    } catch (Exception e) {
      return true;
    }
  }

  private static void assertDenied(Session session, String sql) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> session.sql(sql), sql);
    String message = String.valueOf(e.getCause().getMessage());
    assertTrue(message.contains("denied"), sql + " → " + message);
  }
}
