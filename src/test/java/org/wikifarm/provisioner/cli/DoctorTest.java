package org.wikifarm.provisioner.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * {@code doctor} as a real process: everything passes against the embedded MariaDB and Redis (Redis without
 * persistence and the missing v2 migration are warnings), then each dependency is broken in turn and exactly
 * its line fails, with its hint, and the exit code is 1.
 */
class DoctorTest {

  private static CliProcess.Result doctor(Consumer<JsonObject> breakIt, String... args) throws Exception {
    Path dir = Files.createTempDirectory(TestInfra.scratch(), "doctor");
    JsonObject json = TestConfigs.json(dir.resolve("farm"));
    json.getJsonObject("http").put("bind", "127.0.0.1:" + freePort());
    breakIt.accept(json);
    String[] all = new String[args.length + 1];
    all[0] = "doctor";
    System.arraycopy(args, 0, all, 1, args.length);
    return new CliProcess(json, dir).run(all);
  }

  /** The one failed line and its hint; every other line passed, warned or was skipped. */
  private static void failsOnly(CliProcess.Result r, String check, String detail, String hint) {
    assertEquals(1, r.exit(), r.toString());
    assertTrue(r.out().contains("✗ " + check), check + " fails:\n" + r);
    assertTrue(r.out().contains(detail), detail + " in\n" + r);
    java.util.List<String> lines = r.out().lines().toList();
    int failed = lines.indexOf(lines.stream().filter(l -> l.startsWith("✗ " + check)).findFirst().orElseThrow());
    assertTrue(lines.get(failed + 1).contains("→ ") && lines.get(failed + 1).contains(hint),
        "hint " + hint + " under the failed line:\n" + r);
    assertEquals(1, r.out().lines().filter(l -> l.startsWith("✗ ")).count(), "only that line fails:\n" + r);
    assertFalse(r.out().contains(EmbeddedMariaDb.ADMIN_PASSWORD) || r.out().contains(EmbeddedMariaDb.APP_PASSWORD));
  }

  @Test
  void aHealthyFarmPassesWithWarningsForWhatIsRiskyButWorks() throws Exception {
    CliProcess.Result r = doctor(json -> { });
    assertEquals(0, r.exit(), r.toString());
    for (String line : new String[] {"✓ metadata DB", "✓ schema", "✓ v2 migration", "✓ admin login",
        "✓ admin privileges", "✓ shared tables", "⚠ redis", "no persistence", "✓ executor", "✓ template",
        "✓ wiki dir", "✓ oauth dir", "✓ http port", "all checks passed with 1 warning(s)"}) {
      assertTrue(r.out().contains(line), line + " in\n" + r);
    }
    assertTrue(r.out().matches("(?s).*✓ metadata DB +\\S*MariaDB.* ms\n.*"), "version and latency:\n" + r);
    assertFalse(r.out().contains("IDENTIFIED") || r.out().contains("PASSWORD"), "no password hash from SHOW GRANTS:\n" + r);

    CliProcess.Result json = doctor(j -> { }, "--json");
    assertEquals(0, json.exit(), json.toString());
    JsonObject report = new JsonObject(json.out());
    assertTrue(report.getBoolean("ok"));
    Map<String, String> statuses = report.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(c -> c.getString("name"), c -> c.getString("status")));
    assertEquals("ok", statuses.get("admin privileges"));
    assertEquals("warning", statuses.get("redis"));
  }

  @Test
  void theMetadataDatabaseDown() throws Exception {
    CliProcess.Result r = doctor(json -> json.getJsonObject("database").put("url",
        "mysql://u:pw@127.0.0.1:" + freePort() + "/mediawiki"));
    failsOnly(r, "metadata DB", "Connection refused", "check DATABASE_URL's host and port");
    assertTrue(r.out().contains("– schema"), "the schema is not checked then:\n" + r);
  }

  @Test
  void aWrongAdminPassword() throws Exception {
    CliProcess.Result r = doctor(json -> json.getJsonObject("wiki-db").put("admin-password", "wrong-pw"));
    failsOnly(r, "admin login", "refused the admin login of '" + EmbeddedMariaDb.ADMIN_USER + "'",
        "the admin account (WIKI_DB_ADMIN_USER, WIKI_DB_ADMIN_PASSWORD) must log in");
  }

  @Test
  void anAdminWithoutGrantOption() throws Exception {
    TestInfra.mariaDb().run("CREATE USER IF NOT EXISTS 'weakadmin'@'%' IDENTIFIED BY 'weak-Secret-7'; "
        + "GRANT CREATE USER, CREATE, DROP ON *.* TO 'weakadmin'@'%'; "
        + "GRANT SELECT ON " + EmbeddedMariaDb.SHARED_DB + ".* TO 'weakadmin'@'%'", null);
    CliProcess.Result r = doctor(json -> json.getJsonObject("wiki-db").put("admin-user", "weakadmin")
        .put("admin-password", "weak-Secret-7"));
    failsOnly(r, "admin privileges", "lacks GRANT OPTION on *.*", "WITH GRANT OPTION");
    assertTrue(r.out().contains("✓ shared tables"), r.toString());
  }

  @Test
  void redisDown() throws Exception {
    CliProcess.Result r = doctor(json -> json.getJsonObject("redis").put("url", "redis://127.0.0.1:" + freePort()));
    failsOnly(r, "redis", "no answer", "check REDIS_URL");
  }

  @Test
  void theTemplateMissing() throws Exception {
    CliProcess.Result r = doctor(json -> json.getJsonObject("farm").put("template", "/nonexistent/template"));
    failsOnly(r, "template", "/nonexistent/template is not a directory", "point WIKIFARM_TEMPLATE");
  }

  @Test
  void aFarmDirectoryThatCannotBeWritten() throws Exception {
    // the tests run as root, who may write anywhere: a path beneath a regular file cannot be a directory
    Path file = Files.createTempFile(TestInfra.scratch(), "not-a-dir", ".txt");
    CliProcess.Result r = doctor(json -> json.getJsonObject("farm").put("oauth-dir", file.resolve("keys").toString()));
    failsOnly(r, "oauth dir", file.resolve("keys") + " does not exist", "give the service user write access");
  }

  @Test
  void theDockerEngineUnreachable() throws Exception {
    CliProcess.Result r = doctor(json -> json.getJsonObject("executor").put("type", "docker")
        .put("docker-host", "unix:///nonexistent/docker.sock").put("instance", "wikifarm"));
    failsOnly(r, "executor", "unix:///nonexistent/docker.sock", "check DOCKER_HOST");
  }

  @Test
  void theHttpPortTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      CliProcess.Result r = doctor(json -> json.getJsonObject("http").put("bind", "127.0.0.1:" + taken.getLocalPort()));
      failsOnly(r, "http port", "cannot be bound", "choose another port (BIND_ADDR)");
    }
  }

  private static int freePort() {
    try {
      return EmbeddedMariaDb.freePort(); // below the ephemeral range: no outgoing connection takes it meanwhile
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
