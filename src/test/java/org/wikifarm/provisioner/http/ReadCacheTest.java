package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.app.Metrics;
import org.wikifarm.provisioner.cluster.ClusteredVertx;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.worker.Checkpoints;

/**
 * The read cache ({@code http.read-cache-ttl}): a change made through node A reaches node B's cached answers
 * through the event bus (long before the time to live), a change behind the service's back is never served past
 * the time to live, and no cached answer reaches a viewer who may not see it.
 */
class ReadCacheTest {
  private static final String B = "/provisioner/v1";
  /** So long that only the change events can explain a fresh answer within the test. */
  private static final String LONG_TTL = "60s";
  private static final Duration EVENT_PATH = Duration.ofSeconds(3);

  @Test
  void aChangeThroughNodeAIsSeenInNodeBsCachedAnswersThroughTheBus() throws Exception {
    String slug = "cached-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    String other = slug + "-sql";
    String[] owner = {"X-Auth-User-Id", "91", "X-Auth-User", "Clusterer"};
    String[] stranger = {"X-Auth-User-Id", "7", "X-Auth-User", "Stranger"};
    int hzA = EmbeddedMariaDb.freePort();
    int hzB = EmbeddedMariaDb.freePort();
    try (RunningService a = node("A", hzA, List.of(hzA, hzB), true);
         RunningService b = node("B", hzB, List.of(hzA, hzB), false);
         TestDb db = new TestDb()) {
      ApiClient onA = a.client;
      ApiClient onB = b.client;
      assertFalse(onB.get(B + "/wikis/slug/" + slug + "/exists").json().getBoolean("exists"));
      assertEquals(List.of(), slugs(onB.get(B + "/users/91/wikis", owner)));
      assertFalse(slugs(onB.get(B + "/wikis/public?limit=100")).contains(slug));
      // a row written behind the service's back is not seen while B's answer is kept: B answers from its cache
      db.query("INSERT INTO wikifarm_wikis (name, slug, domain, language, owner_user_id, owner_username, visibility) "
          + "VALUES ('Behind', ?, ?, 'en', 91, 'Clusterer', 'private')", other, other + ".wiki.test");
      assertEquals(List.of(), slugs(onB.get(B + "/users/91/wikis", owner)));

      // create on A: the slug is taken and the owner's list holds the pending wiki on B
      assertEquals(202, onA.postJson(B + "/wikis", new JsonObject().put("name", "Cached").put("slug", slug).encode(),
          owner).status());
      await("B sees the slug taken", () -> onB.get(B + "/wikis/slug/" + slug + "/exists").json().getBoolean("exists"));
      await("B's owner list holds the new wiki", () -> slugs(onB.get(B + "/users/91/wikis", owner)).contains(slug));
      // ready (A's worker): on B's public list
      await("B's public list holds the ready wiki", Duration.ofSeconds(60),
          () -> slugs(onB.get(B + "/wikis/public?limit=100")).contains(slug));

      // PATCH on A: private, so off B's public list and off what a stranger sees of the owner on B
      assertEquals(List.of(slug), slugs(onB.get(B + "/users/91/wikis", stranger)));
      HttpRequest.Builder patch = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.app.httpPort() + B
          + "/wikis/" + slug)).method("PATCH", HttpRequest.BodyPublishers.ofString("{\"visibility\":\"private\"}"));
      assertEquals(200, onA.send(patch, "Content-Type", "application/json", owner[0], owner[1], owner[2], owner[3])
          .status());
      await("B's public list drops the private wiki",
          () -> !slugs(onB.get(B + "/wikis/public?limit=100")).contains(slug));
      await("a stranger no longer sees it on B", () -> slugs(onB.get(B + "/users/91/wikis", stranger)).isEmpty());
      assertEquals(404, onB.get(B + "/wikis/" + slug, stranger).status());
      assertEquals(200, onB.get(B + "/wikis/" + slug, owner).status());

      // delete on A: 'deleting' on B at once, then the slug is free again on B once A's worker is done
      assertEquals(202, onA.delete(B + "/wikis/" + slug, owner).status());
      await("B no longer shows the wiki ready", () -> {
        ApiClient.Response one = onB.get(B + "/wikis/" + slug, owner);
        return one.status() == 404 || one.json().getString("status").equals("deleting");
      });
      await("B sees the slug free again", Duration.ofSeconds(60),
          () -> !onB.get(B + "/wikis/slug/" + slug + "/exists").json().getBoolean("exists"));
    }
  }

  @Test
  void aChangeBehindTheServicesBackIsNeverServedPastTheTtl() throws Exception {
    Duration ttl = Duration.ofSeconds(1);
    String slug = "ttl-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    try (RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("http")
             .put("read-cache-ttl", ttl.toMillis() + "ms"));
         TestDb db = new TestDb()) {
      db.query("INSERT INTO wikifarm_wikis (name, slug, domain, language, owner_user_id, owner_username, status, "
          + "is_featured, created_at) VALUES ('Ttl', ?, ?, 'en', 5, 'Five', 'ready', 1, '2030-01-01')", slug,
          slug + ".wiki.test");
      String featured = B + "/wikis?featured=1&limit=1";
      assertEquals(List.of(slug), slugs(service.client.get(featured)));
      assertTrue(service.client.get(B + "/wikis/slug/" + slug + "/exists").json().getBoolean("exists"));
      // as the CLI's 'wikis unfeature' and 'wikis delete' do: straight to MariaDB, no event
      db.query("UPDATE wikifarm_wikis SET is_featured = 0 WHERE slug = ?", slug);
      long changed = System.nanoTime();
      await("the featured list drops it", ttl.plusSeconds(2), () -> !slugs(service.client.get(featured)).contains(slug));
      db.query("DELETE FROM wikifarm_wikis WHERE slug = ?", slug);
      long deleted = System.nanoTime();
      await("the slug is free", ttl.plusSeconds(2),
          () -> !service.client.get(B + "/wikis/slug/" + slug + "/exists").json().getBoolean("exists"));
      // the answers read before the change live at most one ttl after they were read; the slack is the polling
      assertTrue(Duration.ofNanos(System.nanoTime() - deleted).compareTo(ttl.plusMillis(900)) < 0);
      assertTrue(Duration.ofNanos(deleted - changed).compareTo(ttl.plusMillis(900)) < 0);
    }
  }

  @Test
  void noCachedAnswerReachesAViewerWhoMayNotSeeIt() throws Exception {
    String tag = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    String hidden = "priv-" + tag;
    String shown = "pub-" + tag;
    long ownerId = 4200 + System.nanoTime() % 1000;
    String[] owner = {"X-Auth-User-Id", Long.toString(ownerId), "X-Auth-User", "Owner"};
    String[] stranger = {"X-Auth-User-Id", "7", "X-Auth-User", "Stranger"};
    try (RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("http")
             .put("identity", "headers").put("read-cache-ttl", LONG_TTL));
         TestDb db = new TestDb()) {
      for (String[] w : new String[][] {{hidden, "private"}, {shown, "public"}}) {
        db.query("INSERT INTO wikifarm_wikis (name, slug, domain, language, owner_user_id, owner_username, "
            + "visibility, status) VALUES ('W', ?, ?, 'en', ?, 'Owner', ?, 'ready')", w[0], w[0] + ".wiki.test",
            ownerId, w[1]);
      }
      ApiClient api = service.client;
      String list = B + "/users/" + ownerId + "/wikis";
      // the owner's full view first, so it is what is kept; then everybody else, twice (the second from the cache)
      for (int round = 0; round < 2; round++) {
        assertEquals(List.of(shown, hidden), slugs(api.get(list, owner)));
        assertEquals(200, api.get(B + "/wikis/" + hidden, owner).status());
        assertEquals(List.of(shown), slugs(api.get(list, stranger)));
        assertEquals(List.of(shown), slugs(api.get(list)));
        assertEquals(404, api.get(B + "/wikis/" + hidden, stranger).status());
        assertEquals(404, api.get(B + "/wikis/" + hidden).status());
        assertEquals(200, api.get(B + "/wikis/" + shown).status());
        assertFalse(slugs(api.get(B + "/wikis/public?limit=100", owner)).contains(hidden));
      }
    }
  }

  private static List<String> slugs(ApiClient.Response response) {
    assertEquals(200, response.status(), response.body());
    return ApiClient.slugsOf(response.json().getJsonArray("wikis"));
  }

  private static void await(String what, Callable<Boolean> condition) throws Exception {
    await(what, EVENT_PATH, condition);
  }

  private static void await(String what, Duration within, Callable<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + within);
      }
      Thread.sleep(50);
    }
  }

  /** One clustered node in this JVM: its own Hazelcast member and event bus on 127.0.0.1, the shared stores. */
  private static RunningService node(String name, int hazelcastPort, List<Integer> members, boolean worker)
      throws Exception {
    Path farm = Files.createTempDirectory(TestInfra.scratch(), "cache-" + name);
    JsonObject json = TestConfigs.json(farm);
    json.getJsonObject("http").put("identity", "headers").put("read-cache-ttl", LONG_TTL);
    json.getJsonObject("worker").put("enabled", worker);
    JsonArray all = new JsonArray();
    members.forEach(port -> all.add("127.0.0.1:" + port));
    json.put("cluster", new JsonObject().put("enabled", true).put("name", "wikifarm-cache-" + ProcessHandle.current()
        .pid()).put("host", "127.0.0.1").put("port", hazelcastPort).put("bus-port", EmbeddedMariaDb.freePort()).put("members", all)
        .put("min-members", 1));
    AppConfig config = ConfigLoader.fromJson(json);
    ClusteredVertx.Node node = ClusteredVertx.start(config.cluster(), Metrics.enable(new VertxOptions()))
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    return RunningService.startOn(node.vertx(), node.membership(), config, farm, Checkpoints.NONE);
  }
}
