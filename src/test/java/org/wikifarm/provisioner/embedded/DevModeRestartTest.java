package org.wikifarm.provisioner.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.sse.SseClient;

/**
 * The dev mode keeps its data across every kind of stop: Ctrl-C (SIGINT), a crash (SIGKILL: the JVM dies, its
 * MariaDB and Redis live on as orphans), SIGTERM with a second start already waiting. After each, the wikis are
 * still listed, their slugs taken, and a new create works. One var directory, one sequence, as a developer
 * would live it; the demo template keeps each create to seconds.
 */
class DevModeRestartTest {
  private static final Duration STOP = Duration.ofSeconds(90);
  private static Path var;

  @Test
  void dataSurvivesCtrlCACrashAndASecondStartWhileTheFirstStillStops() throws Exception {
    var = TestInfra.scratch().resolve("devmode-restart").resolve("var");
    DevModeProcess.Ports ports = DevModeProcess.Ports.free();

    // first start, from a shell set up for production: the variable is ignored, and the banner says so
    DevModeProcess first = DevModeProcess.start(var, ports, Map.of("WIKIFARM_EXECUTOR", "docker"), "--demo-template");
    assertTrue(first.output().contains("ignored from your shell: WIKIFARM_EXECUTOR"), first.output());
    assertTrue(first.output().contains("(new)"), "the banner says the data is new:\n" + first.output());
    assertSucceeds(first, "before-ctrl-c");
    first.signal("INT");
    first.awaitExit(STOP);
    assertTrue(first.output().contains("stopped; data kept in " + var.toAbsolutePath()), first.output());

    DevModeProcess second = DevModeProcess.start(var, ports, Map.of(), "--demo-template");
    assertTrue(second.output().contains("kept from an earlier run: 1 wiki(s)"), second.output());
    assertKept(second, List.of("before-ctrl-c"));
    assertSucceeds(second, "after-ctrl-c");
    second.kill9(); // a crash: no shutdown hook; mariadbd and redis-server keep running

    DevModeProcess third = DevModeProcess.start(var, ports, Map.of(), "--demo-template");
    assertTrue(third.output().contains("mariadbd (pid") && third.output().contains("redis-server (pid"),
        "the orphans of the crashed run were stopped first:\n" + third.output());
    assertKept(third, List.of("before-ctrl-c", "after-ctrl-c"));
    assertSucceeds(third, "after-crash");
    third.signal("TERM");
    try (DevModeProcess fourth = DevModeProcess.launch(var, ports, Map.of(), "--demo-template")) {
      third.awaitExit(STOP);
      fourth.awaitOutput(DevModeProcess.READY_LINE, Duration.ofMinutes(3));
      assertKept(fourth, List.of("before-ctrl-c", "after-ctrl-c", "after-crash"));
      assertSucceeds(fourth, "after-overlap");
      fourth.signal("INT");
      fourth.awaitExit(STOP);
    }
    assertTrue(Files.isDirectory(var.resolve("mariadb").resolve("wiki_after_overlap")), "the last wiki's database");
  }

  /** Wiki directories without their database: refused, nothing touched; --reset empties var/ as a whole. */
  @Test
  void halfAVarIsRefusedAndOnlyResetAsAWhole() throws Exception {
    Path half = TestInfra.scratch().resolve("devmode-half").resolve("var");
    Path orphan = Files.createDirectories(half.resolve("farm").resolve("wikis").resolve("orphan"));
    Files.writeString(orphan.resolve("pubwiki.ini"), "WIKI_SITE_NAME = \"Orphan\"\n");
    DevModeProcess.Ports ports = DevModeProcess.Ports.free();
    try (DevModeProcess refused = DevModeProcess.launch(half, ports, Map.of(), "--demo-template")) {
      assertEquals(1, refused.awaitExit(STOP), refused.output());
      assertTrue(refused.output().contains("has no database") && refused.output().contains("--reset"),
          refused.output());
    }
    assertTrue(Files.exists(orphan.resolve("pubwiki.ini")), "nothing was deleted without --reset");
    assertTrue(!Files.exists(half.resolve("mariadb").resolve("mysql")), "no database was made beside it");

    try (DevModeProcess reset = DevModeProcess.start(half, ports, Map.of(), "--demo-template", "--reset")) {
      assertTrue(reset.output().contains("(new)"), reset.output());
      assertTrue(!Files.exists(orphan), "--reset emptied var/");
      assertSucceeds(reset, "after-reset");
      reset.signal("INT");
      reset.awaitExit(STOP);
    }
  }

  /** Each wiki is listed as ready and featured, and its slug is taken. */
  private static void assertKept(DevModeProcess dev, List<String> slugs) throws Exception {
    JsonArray mine = dev.client().get("/provisioner/v1/users/1/wikis").json().getJsonArray("wikis");
    JsonArray featured = dev.client().get("/provisioner/v1/wikis?featured=1&limit=100").json().getJsonArray("wikis");
    for (String slug : slugs) {
      assertTrue(mine.stream().map(JsonObject.class::cast)
          .anyMatch(w -> w.getString("slug").equals(slug) && w.getString("status").equals("ready")),
          slug + " is listed as ready: " + mine.encode() + "\n" + dev.output());
      assertTrue(featured.stream().map(JsonObject.class::cast).anyMatch(w -> w.getString("slug").equals(slug)),
          slug + " is featured: " + featured.encode());
      JsonObject exists = dev.client().get("/provisioner/v1/wikis/slug/" + slug + "/exists").json();
      assertEquals(true, exists.getBoolean("exists"), exists.encode());
      assertEquals(409, dev.client().postJson("/provisioner/v1/wikis", body(slug)).status(), "creating " + slug
          + " again");
    }
  }

  private static void assertSucceeds(DevModeProcess dev, String slug) throws Exception {
    ApiClient.Response created = dev.client().postJson("/provisioner/v1/wikis", body(slug));
    assertEquals(202, created.status(), created.body());
    SseClient.Stream stream = SseClient.read(dev.ports.http(), created.json().getString("task_id"), null,
        Duration.ofMinutes(2));
    JsonObject last = stream.events().get(stream.events().size() - 1).data();
    assertEquals("succeeded", last.getString("status"), last.encode() + "\n" + dev.output());
  }

  private static String body(String slug) {
    return new JsonObject().put("name", "Wiki " + slug).put("slug", slug)
        .put("owner", new JsonObject().put("id", 1).put("username", "Admin")).encode();
  }

  /** Whatever a failed run left behind (the servers of a killed dev mode) is stopped. */
  @AfterAll
  static void stopLeftovers() throws Exception {
    if (var != null) {
      ServerProcess.stopLeftover(var.resolve("mariadb").resolve("mariadbd.pid"), "mariadbd", STOP);
      ServerProcess.stopLeftover(var.resolve("redis").resolve("redis.pid"), "redis-server", STOP);
    }
  }
}
