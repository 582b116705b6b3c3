package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * {@code DELETE /provisioner/v1/wikis/{slug}} as the API leaves it (no worker): who may delete (SPEC §4 identity
 * rules, the owner only), which wikis (ready or failed, never one with a task queued or running), what one
 * transaction writes (wiki {@code deleting}, a queued {@code delete_wiki} task with its spec), and 501 without
 * the v2 migration. Every refusal leaves the rows as they were.
 */
class WikiDeleteApiTest {
  private static final String V1 = "/provisioner/v1";
  private static final String[] OWNER = {"X-Auth-User-Id", "42", "X-Auth-User", "Alice"};
  private static final String[] STRANGER = {"X-Auth-User-Id", "7", "X-Auth-User", "Bob"};

  @BeforeEach
  void clean() throws Exception {
    TestInfra.truncateMetadata();
  }

  /** Creates a wiki of owner 42 through the API; returns its create task id (queued: no worker runs it). */
  private static String create(ApiClient api, String slug) throws Exception {
    String body = new JsonObject().put("name", "Wiki " + slug).put("slug", slug)
        .put("owner", new JsonObject().put("id", 42).put("username", "Alice")).encode();
    ApiClient.Response r = api.postJson(V1 + "/wikis", body, OWNER);
    assertEquals(202, r.status(), r.body());
    return r.json().getString("task_id");
  }

  /** What a finished create leaves in the rows: the wiki {@code status}, its create task {@code taskStatus}. */
  private static void finishCreate(TestDb db, String slug, String createTask, String status, String taskStatus)
      throws Exception {
    db.query("UPDATE wikifarm_wikis SET status = ? WHERE slug = ?", status, slug);
    db.query("UPDATE wikifarm_tasks SET status = ? WHERE id = ?", taskStatus, createTask);
  }

  private static String rows(TestDb db, String slug) throws Exception {
    StringBuilder out = new StringBuilder();
    for (Row r : db.query("SELECT w.status AS ws, t.type, t.status AS ts FROM wikifarm_wikis w "
        + "LEFT JOIN wikifarm_tasks t ON t.wiki_id = w.id WHERE w.slug = ? ORDER BY t.created_at, t.type", slug)) {
      out.append(r.getString("ws")).append('/').append(r.getString("type")).append('/').append(r.getString("ts"))
          .append(' ');
    }
    return out.toString().strip();
  }

  @Test
  void onlyTheOwnerDeletesAReadyWikiAndEachRefusalChangesNothing() throws Exception {
    try (RunningService service = RunningService.startApiOnly(); TestDb db = new TestDb()) {
      ApiClient api = service.client;
      String slug = "del-api";
      String createTask = create(api, slug);

      ApiClient.Response creating = api.delete(V1 + "/wikis/" + slug, OWNER);
      assertEquals(409, creating.status(), creating.body());
      assertEquals("wiki_busy", creating.errorCode());
      assertEquals("pending", creating.json().getJsonObject("error").getJsonObject("details").getString("status"));
      finishCreate(db, slug, createTask, "ready", "queued");
      assertEquals("wiki_busy", api.delete(V1 + "/wikis/" + slug, OWNER).errorCode(),
          "a task of the wiki is still queued");
      finishCreate(db, slug, createTask, "ready", "succeeded");
      String before = rows(db, slug);

      // body identity mode, yet the headers are required: a DELETE has no body (the PATCH rule)
      ApiClient.Response anonymous = api.delete(V1 + "/wikis/" + slug);
      assertEquals(401, anonymous.status(), anonymous.body());
      assertEquals("missing_identity", anonymous.errorCode());
      ApiClient.Response stranger = api.delete(V1 + "/wikis/" + slug, STRANGER);
      assertEquals(403, stranger.status(), stranger.body());
      assertEquals("not_owner", stranger.errorCode());
      ApiClient.Response unknown = api.delete(V1 + "/wikis/no-such-wiki", OWNER);
      assertEquals(404, unknown.status(), unknown.body());
      assertEquals("not_found", unknown.errorCode());
      assertEquals("invalid_slug", api.delete(V1 + "/wikis/Not_A_Slug", OWNER).errorCode());
      assertEquals(before, rows(db, slug), "refusals change nothing");
      assertEquals("ready/create_wiki/succeeded", before);

      ApiClient.Response accepted = api.delete(V1 + "/wikis/" + slug, OWNER);
      assertEquals(202, accepted.status(), accepted.body());
      String taskId = accepted.json().getString("task_id");
      assertEquals(V1 + "/tasks/" + taskId + "/events", accepted.headers().firstValue("Location").orElse(null));
      Row task = db.query("SELECT type, status, progress, wiki_id, created_by_user_id, created_by_username, spec "
          + "FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next();
      assertEquals("delete_wiki", task.getString("type"));
      assertEquals("queued", task.getString("status"));
      assertEquals(42L, task.getLong("created_by_user_id"));
      assertEquals(db.count("SELECT id FROM wikifarm_wikis WHERE slug = ?", slug), task.getLong("wiki_id"));
      JsonObject spec = new JsonObject(task.getString("spec"));
      assertEquals(createTask, spec.getString("creator_task"), "the proof the phases will look for");
      assertTrue(spec.getString("archive").matches("^" + slug + "-\\d{8}T\\d{6}Z$"), spec.encode());
      assertEquals("deleting/create_wiki/succeeded deleting/delete_wiki/queued", rows(db, slug));
      // the first journal entry is there, like a create's: the stream starts at 'queued'
      assertEquals(200, api.get(V1 + "/wikis/" + slug).status());
      assertEquals("deleting", api.get(V1 + "/wikis/" + slug).json().getString("status"));

      ApiClient.Response again = api.delete(V1 + "/wikis/" + slug, OWNER);
      assertEquals(409, again.status(), again.body());
      assertEquals("deleting", again.json().getJsonObject("error").getJsonObject("details").getString("status"));
      // a wiki being deleted is not managed any more
      assertEquals(409, api.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
          + service.app.httpPort() + V1 + "/wikis/" + slug)).method("PATCH",
          java.net.http.HttpRequest.BodyPublishers.ofString("{\"visibility\":\"private\"}")),
          "Content-Type", "application/json", OWNER[0], OWNER[1], OWNER[2], OWNER[3]).status());
    }
  }

  @Test
  void aFailedWikiCanBeDeletedAgainOnceNoTaskOfItRuns() throws Exception {
    try (RunningService service = RunningService.startApiOnly(); TestDb db = new TestDb()) {
      String slug = "del-failed";
      String createTask = create(service.client, slug);
      finishCreate(db, slug, createTask, "failed", "failed");
      ApiClient.Response first = service.client.delete(V1 + "/wikis/" + slug, OWNER);
      assertEquals(202, first.status(), first.body());
      // the delete failed (what a worker records): the wiki is failed, no task active → a new DELETE retries
      db.query("UPDATE wikifarm_tasks SET status = 'failed' WHERE id = ?", first.json().getString("task_id"));
      db.query("UPDATE wikifarm_wikis SET status = 'failed' WHERE slug = ?", slug);
      ApiClient.Response retry = service.client.delete(V1 + "/wikis/" + slug, OWNER);
      assertEquals(202, retry.status(), retry.body());
      assertEquals(createTask, new JsonObject(db.query("SELECT spec FROM wikifarm_tasks WHERE id = ?",
          retry.json().getString("task_id")).iterator().next().getString("spec")).getString("creator_task"));
    }
  }

  @Test
  void headersModeNeedsTheCallersIdentityToo() throws Exception {
    try (RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("http")
        .put("identity", "headers")); TestDb db = new TestDb()) {
      String slug = "del-hdr";
      finishCreate(db, slug, create(service.client, slug), "ready", "succeeded");
      assertEquals(401, service.client.delete(V1 + "/wikis/" + slug).status());
      assertEquals(401, service.client.delete(V1 + "/wikis/" + slug, "X-Auth-User-Id", "42").status());
      assertEquals(403, service.client.delete(V1 + "/wikis/" + slug, STRANGER).status());
      assertEquals(202, service.client.delete(V1 + "/wikis/" + slug, OWNER).status());
    }
  }

  /** A service whose metadata database has the tables and the slug index, but not the v2 migration. */
  @Test
  void withoutTheV2MigrationADeleteIs501AndNothingChanges() throws Exception {
    EmbeddedMariaDb m = TestInfra.mariaDb();
    String database = "schema_v1_delete";
    m.run("DROP DATABASE IF EXISTS " + database + "; CREATE DATABASE " + database, null);
    m.source(Path.of("sql", "tables.sql"), database);
    m.source(Path.of("sql", "migrations", "20250928_add_unique_index_wikifarm_wikis_slug.sql"), database);
    try (RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("database")
        .put("url", "mysql://" + EmbeddedMariaDb.ADMIN_USER + ":" + EmbeddedMariaDb.ADMIN_PASSWORD + "@127.0.0.1:"
            + m.port() + "/" + database))) {
      String slug = "del-old";
      String createTask = create(service.client, slug); // the default template needs no migration
      m.run("UPDATE wikifarm_wikis SET status = 'ready' WHERE slug = '" + slug + "'; "
          + "UPDATE wikifarm_tasks SET status = 'succeeded' WHERE id = '" + createTask + "'", database);
      ApiClient.Response r = service.client.delete(V1 + "/wikis/" + slug, OWNER);
      assertEquals(501, r.status(), r.body());
      assertEquals("migration_required", r.errorCode());
      assertTrue(r.json().getJsonObject("error").getString("message")
          .contains("20261126_wikifarm_tasks_delete_and_spec.sql"), r.body());
      assertEquals(401, service.client.delete(V1 + "/wikis/" + slug).status(), "identity still comes first");
      assertEquals(202, service.client.postJson(V1 + "/wikis", ApiClient.createBody("Still", "del-old-2")).status(),
          "everything else keeps working");
    } finally {
      m.run("DROP DATABASE IF EXISTS " + database, null);
    }
    assertTrue(Files.isRegularFile(Path.of("sql", "migrations", "20261126_wikifarm_tasks_delete_and_spec.sql")));
  }
}
