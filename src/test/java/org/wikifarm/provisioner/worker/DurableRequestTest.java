package org.wikifarm.provisioner.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * What a queued task builds is decided by MariaDB alone (SPEC §3 v2): a task queued with a named template is
 * built from that template even when Redis restarts empty before any worker picks it up.
 */
class DurableRequestTest {

  @Test
  void aNamedTemplateSurvivesRedisRestartingEmptyWhileTheTaskIsQueued() throws Exception {
    TestInfra.truncateMetadata();
    Path science = Files.createDirectories(TestInfra.scratch().resolve("science-template-" + System.nanoTime()));
    Files.copy(DurableRequestTest.class.getResourceAsStream("/demo-template/pubwiki.ini"), science.resolve("pubwiki.ini"));
    Files.writeString(science.resolve("SCIENCE.txt"), "made from the science template\n");
    String[] prefix = new String[1];
    Consumer<JsonObject> withTemplate = json -> {
      json.getJsonObject("farm").put("templates", new JsonObject().put("science", science.toString()));
      prefix[0] = json.getJsonObject("redis").getString("key-prefix");
    };
    String taskId;
    Path farm;
    try (RunningService api = RunningService.startApiOnly(withTemplate)) {
      ApiClient.Response r = api.client.postJson("/provisioner/v1/wikis", new JsonObject().put("name", "Sci")
          .put("slug", "durable-sci").put("template", "science")
          .put("owner", new JsonObject().put("id", 8).put("username", "Ada")).encode());
      assertEquals(202, r.status(), r.body());
      taskId = r.json().getString("task_id");
      farm = api.farm;
    }
    Files.writeString(farm.resolve("template").resolve("DEFAULT-TEMPLATE-ONLY"), "the default template\n");
    forgetRedis(prefix[0]);

    try (RunningService worker = RunningService.start(json -> {
      withTemplate.accept(json);
      // the same farm as the node that queued it
      json.getJsonObject("farm").put("wiki-dir", farm.resolve("wikis").toString())
          .put("oauth-dir", farm.resolve("oauth").toString()).put("template", farm.resolve("template").toString());
    }); TestDb db = new TestDb()) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      String status = "queued";
      while (!List.of("succeeded", "failed").contains(status) && System.nanoTime() < deadline) {
        Thread.sleep(200);
        status = db.query("SELECT status FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next().getString("status");
      }
      assertEquals("succeeded", status);
      Path wiki = farm.resolve("wikis").resolve("durable-sci");
      assertTrue(Files.exists(wiki.resolve("SCIENCE.txt")), "built from the named template, not the default");
      assertFalse(Files.exists(wiki.resolve("DEFAULT-TEMPLATE-ONLY")), "not from the default");
    }
  }

  private static void forgetRedis(String prefix) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      RedisAPI redis = RedisAPI.api(Redis.createClient(vertx, TestInfra.redis().url()));
      Response keys = redis.keys(prefix + "*").toCompletionStage().toCompletableFuture().get();
      List<String> all = new ArrayList<>();
      keys.forEach(k -> all.add(k.toString()));
      if (!all.isEmpty()) {
        redis.del(all).toCompletionStage().toCompletableFuture().get();
      }
    } finally {
      vertx.close();
    }
  }
}
