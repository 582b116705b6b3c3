package org.wikifarm.provisioner.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wikifarm.provisioner.sse.StreamAssertions.assertCompleteStream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.sse.SseClient.Event;
import org.wikifarm.provisioner.sse.StreamAssertions.Ids;

/** The SSE contract of SPEC §5 against the real service. */
class TaskEventsTest {
  private static RunningService service;

  @BeforeAll
  static void start() throws Exception {
    TestInfra.truncateMetadata(); // no leftover queued tasks of other classes for this node's worker
    service = RunningService.start(json -> {
      json.put("sse", new JsonObject().put("heartbeat", "150ms").put("throttle", "200ms"));
      json.getJsonObject("executor")
          // a burst of 300 output lines in well under a second, then a quiet second for heartbeats
          .put("install-commands", new JsonArray().add(new JsonArray().add("sh").add("-c")
              .add("i=0; while [ $i -lt 300 ]; do echo line $i; i=$((i+1)); done; sleep 1")))
          .put("index-commands", new JsonArray());
    });
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
  }

  private String create(String slug) throws Exception {
    ApiClient.Response r = service.client.postJson("/provisioner/v1/wikis", ApiClient.createBody("Events " + slug, slug));
    assertEquals(202, r.status(), r.body());
    return r.json().getString("task_id");
  }

  @Test
  void unknownTaskIs404AndAMalformedIdIs400NotAStream() throws Exception {
    SseClient.Stream unknown = SseClient.read(service.app.httpPort(), UUID.randomUUID().toString(), null,
        Duration.ofSeconds(10));
    assertEquals(404, unknown.status());
    assertTrue(unknown.contentType().startsWith("application/json"));
    assertEquals("not_found", new JsonObject(unknown.rawPrefix()).getJsonObject("error").getString("code"));
    for (String bad : new String[] {"abc", "../../etc", "1' OR '1'='1", UUID.randomUUID().toString().toUpperCase()}) {
      ApiClient.Response r = service.client.get("/provisioner/v1/tasks/" + java.net.URLEncoder.encode(bad,
          java.nio.charset.StandardCharsets.UTF_8) + "/events");
      assertEquals(400, r.status(), bad);
      assertEquals("invalid_task_id", r.errorCode());
    }
  }

  @Test
  void hundredConcurrentSubscribersSeeIdenticalSequencesWithHeartbeatsAndThrottledBursts() throws Exception {
    String taskId = create("crowd-" + System.nanoTime() % 100000);
    ExecutorService pool = Executors.newFixedThreadPool(100);
    List<Future<SseClient.Stream>> streams = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      streams.add(pool.submit(() -> SseClient.read(service.app.httpPort(), taskId, null, Duration.ofSeconds(90))));
    }
    List<Event> reference = null;
    boolean heartbeatSeen = false;
    for (Future<SseClient.Stream> f : streams) {
      SseClient.Stream s = f.get();
      assertCompleteStream(taskId, s, "succeeded", Ids.JOURNALED); // each one, not only the first
      if (reference == null) {
        reference = s.events();
      }
      assertEquals(reference, s.events(), "identical sequences");
      heartbeatSeen |= s.comments().contains(": keep-alive");
    }
    pool.shutdown();
    assertTrue(heartbeatSeen, "a keep-alive comment arrives while the task is quiet");

    // 300 output lines in a burst are coalesced: a handful of events, the phase change and its end kept
    long installEvents = reference.stream().filter(e -> "docker_install".equals(e.data().getString("phase"))).count();
    assertTrue(installEvents >= 2 && installEvents <= 12, "docker_install events: " + installEvents);
    assertTrue(reference.stream().anyMatch(e -> "install site: done".equals(e.data().getString("message"))),
        "the phase's completion is never dropped");
  }
}
