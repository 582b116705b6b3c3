package org.wikifarm.provisioner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * {@code provision} as a real process against the embedded MariaDB and Redis with the local executor running
 * real commands: plain lines when piped, a bar that reaches 100 % in a pseudo-terminal, the API's validation,
 * and Ctrl-C rolling everything back.
 */
class ProvisionCommandTest {
  private static final Pattern TASK_ID = Pattern.compile("task ([0-9a-f-]{36}): creating");
  private static TestDb db;

  @BeforeAll
  static void connect() throws Exception {
    db = new TestDb();
  }

  @AfterAll
  static void disconnect() {
    db.close();
  }

  /** Nothing else queued: a test's task is the only one. */
  @BeforeEach
  void emptyQueue() throws Exception {
    TestInfra.truncateMetadata();
  }

  private static CliProcess cli(String name, JsonArray installCommands) throws Exception {
    Path dir = Files.createTempDirectory(TestInfra.scratch(), name);
    JsonObject json = TestConfigs.json(dir.resolve("farm"));
    json.getJsonObject("executor").put("install-commands", installCommands);
    return new CliProcess(json, dir);
  }

  private static JsonArray commands(String shell) {
    return new JsonArray().add(new JsonArray().add("sh").add("-c").add(shell));
  }

  private static String[] provision(String slug, String... more) {
    String[] base = {"provision", "--name", "Wiki " + slug, "--slug", slug, "--owner-id", "7", "--owner-name", "Alice"};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void pipedOutputIsPlainLinesAndTheWikiIsReady() throws Exception {
    CliProcess cli = cli("piped", commands("echo installing step 1; sleep 0.3; echo installing step 2"));
    CliProcess.Result r = cli.run(provision("piped-wiki", "--language", "de"));
    assertEquals(0, r.exit(), r.toString());
    assertFalse(r.out().contains("\033[") || r.out().contains("\r"), "no terminal control when piped: " + r);
    for (String expected : new String[] {"dir_copy", "db_provision", "docker_install", "installing step",
        "100%", "wiki 'piped-wiki' is ready: https://piped-wiki.wiki.test"}) {
      assertTrue(r.out().contains(expected), expected + " in\n" + r);
    }
    Row wiki = db.query("SELECT status, language, owner_user_id FROM wikifarm_wikis WHERE slug = ?", "piped-wiki")
        .iterator().next();
    assertEquals("ready", wiki.getString("status"));
    assertEquals("de", wiki.getString("language"));
    assertEquals(7L, wiki.getLong("owner_user_id"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM wikifarm_tasks WHERE status = 'succeeded' AND id = ?", taskId(r)));
    assertTrue(Files.isRegularFile(cli.conf().resolveSibling("farm").resolve("wikis/piped-wiki/pubwiki.ini")));
  }

  @Test
  void inATerminalABarIsRedrawnInPlaceUntil100Percent() throws Exception {
    CliProcess.Result r = cli("tty", commands("echo installing; sleep 1.2")).inTerminal(provision("tty-wiki"));
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("\r\033[2K"), "the line is redrawn in place: " + r);
    assertTrue(r.out().contains("[" + "█".repeat(24) + "] 100%"), "the bar ends full at 100 %: " + r);
    assertTrue(r.out().contains("docker_install"), "the phase is shown: " + r);
    assertTrue(r.out().contains("wiki 'tty-wiki' is ready"), r.toString());
  }

  @Test
  void anInvalidRequestIsAUsageErrorWithTheApisOwnMessageAndQueuesNothing() throws Exception {
    CliProcess cli = cli("invalid", new JsonArray());
    CliProcess.Result slug = cli.run(provision("1bad"));
    assertEquals(2, slug.exit(), slug.toString());
    assertTrue(slug.err().contains("the slug must start with a lowercase letter"), slug.toString());
    CliProcess.Result template = cli.run(provision("fine-slug", "--template", "nope"));
    assertEquals(2, template.exit(), template.toString());
    assertTrue(template.err().contains("unknown template"), template.toString());
    CliProcess.Result missing = cli.run("provision", "--slug", "no-name");
    assertEquals(2, missing.exit(), missing.toString());
    assertTrue(missing.err().contains("Missing required options"), missing.toString());
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_tasks"));
  }

  @Test
  void ctrlCStopsTheRunningCommandAndRollsEverythingBack() throws Exception {
    CliProcess cli = cli("sigint", commands("echo install-began; sleep 67"));
    CliProcess.Running running = cli.start(provision("interrupted-wiki"));
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!Files.readString(running.out()).contains("install-began") && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(Files.readString(running.out()).contains("install-began"), "the install command runs");
    assertFalse(ignoresSigint(running.process().pid()), "the CLI's JVM ignores SIGINT, so it installed no handler "
        + "and Ctrl-C cannot be tested: a process started with SIGINT ignored (a background job started with '&' "
        + "or nohup) passes that on to the test JVM and its children; run the suite in the foreground");
    new ProcessBuilder("kill", "-INT", Long.toString(running.process().pid())).start().waitFor();
    CliProcess.Result r = CliProcess.finish(running, Duration.ofMinutes(2));

    assertEquals(130, r.exit(), "ended by SIGINT after the rollback: " + r);
    assertTrue(r.err().contains("rolling back"), r.toString());
    assertTrue(r.err().contains("cancelled during docker_install"), r.toString());
    String taskId = taskId(r);
    Row task = db.query("SELECT status, message FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next();
    assertEquals("failed", task.getString("status"));
    assertTrue(task.getString("message").contains("cancelled during docker_install (interrupted from the terminal); "
        + "nothing was left behind"), task.getString("message"));
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE slug = 'interrupted-wiki'"), "slug free again");
    assertEquals(0, db.count("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
        "wiki_interrupted_wiki"), "database dropped");
    assertEquals(0, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", "wiki_interrupted_wiki"), "user dropped");
    Path farm = cli.conf().resolveSibling("farm");
    assertFalse(Files.exists(farm.resolve("wikis/interrupted-wiki")), "wiki directory removed");
    assertFalse(Files.exists(farm.resolve("oauth/interrupted-wiki")), "key directory removed");
    assertFalse(ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains("sleep 67")),
        "the interrupted command was stopped");
  }

  static String taskId(CliProcess.Result r) {
    Matcher m = TASK_ID.matcher(r.out());
    assertTrue(m.find(), "the task id is printed: " + r);
    return m.group(1);
  }

  /** Whether SIGINT (signal 2) is in the process's ignored-signal mask ({@code SigIgn} in /proc/<pid>/status). */
  private static boolean ignoresSigint(long pid) throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (2 - 1))) != 0;
      }
    }
    return false;
  }
}
