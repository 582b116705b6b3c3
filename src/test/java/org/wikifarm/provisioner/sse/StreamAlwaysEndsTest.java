package org.wikifarm.provisioner.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TcpProxy;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * SPEC §5 (v2): a stream always ends — the terminal event is synthesized from the row when the journal lacks
 * it, on connect and at a heartbeat; a Last-Event-ID the journal never issued replays from the start; and a
 * reconnect while MariaDB is down is served from the journal with 200 (EventSource gives up on any non-200).
 * No worker runs here: the tests play the worker's part on the task row.
 */
class StreamAlwaysEndsTest {

  @BeforeEach
  void clean() throws Exception {
    TestInfra.truncateMetadata();
  }

  @Test
  void aTerminalRowWithoutItsJournalEntryEndsTheStreamOnConnectAndAtAHeartbeat() throws Exception {
    try (RunningService service = RunningService.startApiOnly(json -> json.put("sse",
        new JsonObject().put("heartbeat", "200ms").put("throttle", "200ms")));
         TestDb db = new TestDb()) {
      // on connect: the row already says succeeded, the journal only has 'queued'
      String done = create(service.client, "ends-on-connect");
      db.query("UPDATE wikifarm_tasks SET status = 'succeeded', progress = 100, message = 'wiki created' WHERE id = ?", done);
      SseClient.Stream first = SseClient.read(service.app.httpPort(), done, null, Duration.ofSeconds(5));
      assertTrue(first.closedByServer(), "stream ended: " + first.events());
      assertEquals("succeeded", first.events().get(first.events().size() - 1).data().getString("status"));
      StreamAssertions.assertCompleteStream(done, first, "succeeded", StreamAssertions.Ids.MAY_BE_MISSING);

      // at a heartbeat: connected while running, then the row ends (the terminal journal write was lost)
      String lost = create(service.client, "ends-at-heartbeat");
      db.query("UPDATE wikifarm_tasks SET status = 'running', progress = 30 WHERE id = ?", lost);
      CompletableFuture<SseClient.Stream> open = CompletableFuture.supplyAsync(() -> {
        try {
          return SseClient.read(service.app.httpPort(), lost, null, Duration.ofSeconds(8));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Thread.sleep(500);
      db.query("UPDATE wikifarm_tasks SET status = 'failed', progress = 30, message = 'db_provision failed' WHERE id = ?", lost);
      SseClient.Stream second = open.get();
      assertTrue(second.closedByServer(), "ended by a heartbeat's check, not by the deadline: " + second.events());
      JsonObject end = second.events().get(second.events().size() - 1).data();
      assertEquals("failed", end.getString("status"));
      assertEquals(30, end.getInteger("progress"), "a failure keeps the progress it reached");
    }
  }

  @Test
  void aLastEventIdTheJournalNeverIssuedReplaysFromTheStartWithoutErrors() throws Exception {
    List<LogRecord> severe = new java.util.concurrent.CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.SEVERE.intValue() && r.getLoggerName() != null
            && !r.getLoggerName().startsWith("ch.vorburger")) {
          severe.add(r);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger.getLogger("").addHandler(capture);
    try (RunningService service = RunningService.startApiOnly(json -> json.put("sse",
        new JsonObject().put("heartbeat", "200ms").put("throttle", "200ms")));
         TestDb db = new TestDb()) {
      String task = create(service.client, "unknown-ids");
      for (String bogus : List.of("9999999999999-0", "99999999999999999999-0", "1-1", "0-0")) {
        SseClient.Stream s = SseClient.read("http://127.0.0.1:" + service.app.httpPort() + "/provisioner/v1/tasks/"
            + task + "/events", bogus, Duration.ofSeconds(3), 1);
        assertEquals(200, s.status());
        assertFalse(s.events().isEmpty(), bogus + ": replayed from the start");
        assertEquals("queued", s.events().get(0).data().getString("status"), bogus);
      }
      db.query("UPDATE wikifarm_tasks SET status = 'succeeded', progress = 100 WHERE id = ?", task);
      SseClient.Stream s = SseClient.read(service.app.httpPort(), task, "99999999999999999999-0", Duration.ofSeconds(5));
      assertTrue(s.closedByServer(), s.events().toString());
    } finally {
      Logger.getLogger("").removeHandler(capture);
    }
    assertTrue(severe.isEmpty(), "no SEVERE lines: " + severe.stream().map(LogRecord::getMessage).toList());
  }

  @Test
  void aReconnectWhileMariaDbIsDownIsServedFromTheJournal() throws Exception {
    EmbeddedMariaDb mariaDb = TestInfra.mariaDb();
    try (TcpProxy proxy = new TcpProxy(mariaDb.port());
         RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("database")
             .put("url", "mysql://" + EmbeddedMariaDb.APP_USER + ":" + EmbeddedMariaDb.APP_PASSWORD
                 + "@127.0.0.1:" + proxy.port() + "/" + EmbeddedMariaDb.METADATA_DB))) {
      String task = create(service.client, "db-down-sse");
      proxy.cut();
      SseClient.Stream s = SseClient.read("http://127.0.0.1:" + service.app.httpPort() + "/provisioner/v1/tasks/"
          + task + "/events", null, Duration.ofSeconds(3), 1);
      assertEquals(200, s.status(), s.rawPrefix());
      assertEquals("queued", s.events().get(0).data().getString("status"));
      // a task nobody knows: without MariaDB that cannot be told from a real one, so 503 (retry), not 404
      SseClient.Stream unknown = SseClient.read(service.app.httpPort(), "00000000-0000-4000-8000-000000000000",
          null, Duration.ofSeconds(3));
      assertEquals(503, unknown.status());
      proxy.restore();
      assertEquals(404, SseClient.read(service.app.httpPort(), "00000000-0000-4000-8000-000000000000", null,
          Duration.ofSeconds(3)).status());
    }
  }

  private static String create(ApiClient api, String slug) throws Exception {
    ApiClient.Response r = api.postJson("/provisioner/v1/wikis", ApiClient.createBody("Stream " + slug, slug));
    assertEquals(202, r.status(), r.body());
    return r.json().getString("task_id");
  }
}
