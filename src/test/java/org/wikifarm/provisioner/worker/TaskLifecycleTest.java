package org.wikifarm.provisioner.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wikifarm.provisioner.sse.StreamAssertions.assertCompleteStream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.sse.SseClient;
import org.wikifarm.provisioner.sse.SseClient.Event;
import org.wikifarm.provisioner.sse.StreamAssertions.Ids;

/**
 * A task from POST to the terminal event with the real service: MariaDB, Redis, the local executor running
 * real processes, the worker and the SSE bridge. Checks the rows, the files and the event stream agree.
 */
class TaskLifecycleTest {
  private static TestDb db;

  @BeforeAll
  static void start() throws Exception {
    db = new TestDb();
  }

  /**
   * Every test gets its own node and an empty queue: a second node with a worker (or tasks left queued by
   * API-only tests) would claim the test's task from the shared database and run it with other commands.
   */
  @BeforeEach
  void emptyQueue() throws Exception {
    TestInfra.truncateMetadata();
  }

  private static RunningService succeeding() throws Exception {
    return RunningService.start(json -> json.getJsonObject("executor")
        .put("install-commands", new JsonArray()
            .add(new JsonArray().add("sh").add("-c").add("for i in 1 2 3; do echo installing step $i; sleep 0.2; done"))
            .add(new JsonArray().add("sh").add("-c").add("test \"$(pwd)\" = \"$WIKI_EXPECTED_DIR\" || pwd")))
        .put("index-commands", new JsonArray().add(new JsonArray().add("sh").add("-c").add("echo indexing; sleep 0.3"))));
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  private static String create(RunningService service, String slug) throws Exception {
    String body = new JsonObject().put("name", "Life " + slug).put("slug", slug).put("language", "de")
        .put("owner", new JsonObject().put("id", 77).put("username", "Lifer")).encode();
    ApiClient.Response r = service.client.postJson("/provisioner/v1/wikis", body);
    assertEquals(202, r.status(), r.body());
    return r.json().getString("task_id");
  }

  /** The wiki's database (and DB user) name as the service derives it from its configured prefix. */
  private static String dbName(RunningService service, String slug) {
    return PhaseContext.dbName(service.app.config().wikiDb().namePrefix(), slug);
  }

  @Test
  void queuedToSucceededWithConsistentRowsFilesAndEvents() throws Exception {
    try (RunningService service = succeeding()) {
      queuedToSucceeded(service);
    }
  }

  private void queuedToSucceeded(RunningService service) throws Exception {
    String slug = "life-" + System.nanoTime() % 100000;
    String taskId = create(service, slug);
    SseClient.Stream stream = SseClient.read(service.app.httpPort(), taskId, null, Duration.ofSeconds(60));

    Event last = assertCompleteStream(slug, stream, "succeeded", Ids.JOURNALED);
    assertTrue(stream.contentType().startsWith("text/event-stream"), stream.contentType());
    assertTrue(stream.headerLines().contains("cache-control: no-cache"), stream.headerLines().toString());
    assertTrue(stream.headerLines().contains("x-accel-buffering: no"), stream.headerLines().toString());
    assertTrue(stream.rawPrefix().startsWith("retry: 3000\n"), stream.rawPrefix());

    List<Event> events = stream.events();
    List<String> phases = events.stream().map(e -> e.data().getString("phase")).filter(p -> p != null).distinct().toList();
    assertEquals(org.wikifarm.provisioner.sse.StreamAssertions.CREATE_PHASES,
        phases);
    assertTrue(events.stream().anyMatch(e -> "installing step 3".equals(e.data().getString("message"))
        || e.data().getString("message", "").startsWith("install site")), "command output or labels are streamed");

    Row task = db.query("SELECT * FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next();
    assertEquals("succeeded", task.getString("status"));
    assertEquals(100, task.getInteger("progress"));
    assertNotNull(task.getValue("finished_at"));
    Row wiki = db.query("SELECT * FROM wikifarm_wikis WHERE slug = ?", slug).iterator().next();
    assertEquals("ready", wiki.getString("status"));
    assertEquals(wiki.getLong("id"), last.data().getLong("wiki_id"));
    assertEquals(wiki.getLong("id"), task.getLong("wiki_id"));
    assertTrue(Files.isRegularFile(service.farm.resolve("wikis").resolve(slug).resolve("pubwiki.ini")));
    assertTrue(Files.isRegularFile(service.farm.resolve("oauth").resolve(slug).resolve("oauth.key")));
    assertEquals(1, db.count("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
        dbName(service, slug)));

    // a late subscriber gets the whole history again, identical ids, and the end
    SseClient.Stream late = SseClient.read(service.app.httpPort(), taskId, null, Duration.ofSeconds(10));
    assertEquals(events, late.events());
    // and a reconnect with Last-Event-ID gets exactly what follows it
    Event middle = events.get(events.size() / 2);
    SseClient.Stream resumed = SseClient.read(service.app.httpPort(), taskId, middle.id(), Duration.ofSeconds(10));
    assertEquals(events.subList(events.size() / 2 + 1, events.size()), resumed.events());
  }

  @Test
  void aFailingPhaseRollsBackFailsTheTaskAndFreesTheSlug() throws Exception {
    try (RunningService failing = RunningService.start(json -> json.getJsonObject("executor")
        .put("install-commands", new JsonArray().add(new JsonArray().add("sh").add("-c")
            .add("echo 'fatal: cannot install' >&2; exit 4"))))) {
      String slug = "fail-" + System.nanoTime() % 100000;
      String body = new JsonObject().put("name", "Fail").put("slug", slug)
          .put("owner", new JsonObject().put("id", 78).put("username", "F")).encode();
      String taskId = failing.client.postJson("/provisioner/v1/wikis", body).json().getString("task_id");
      SseClient.Stream stream = SseClient.read(failing.app.httpPort(), taskId, null, Duration.ofSeconds(60));
      Event last = assertCompleteStream(slug, stream, "failed", Ids.JOURNALED);
      String message = last.data().getString("message");
      assertTrue(message.contains("docker_install") && message.contains("exited with status 4")
          && message.contains("fatal: cannot install"), message);
      assertFalse(message.contains("admin-Secret"), message);

      Row task = db.query("SELECT status, message, wiki_id FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next();
      assertEquals("failed", task.getString("status"));
      assertEquals(message, task.getString("message"));
      assertEquals(null, task.getValue("wiki_id"), "the pending wiki row is gone");
      assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE slug = ?", slug));
      assertFalse(Files.exists(failing.farm.resolve("wikis").resolve(slug)));
      assertFalse(Files.exists(failing.farm.resolve("oauth").resolve(slug)));
      String dbName = dbName(failing, slug);
      assertEquals(0, db.count("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", dbName));
      assertEquals(0, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", dbName));
      // the slug is free again
      assertFalse(failing.client.get("/provisioner/v1/wikis/slug/" + slug + "/exists").json().getBoolean("exists"));
      assertEquals(202, failing.client.postJson("/provisioner/v1/wikis", body).status());
    }
  }
}
