package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/** Every v1 route end to end against the real MariaDB and Redis: status, JSON shape and database state. */
class WikiApiTest {
  private static final Pattern UUID = Pattern.compile("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  private static final Pattern ISO_UTC = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$");
  private static RunningService service;
  private static ApiClient api;
  private static TestDb db;

  @BeforeAll
  static void start() throws Exception {
    service = RunningService.startApiOnly(json -> json.getJsonObject("farm")
        .put("templates", new JsonObject().put("science", "/nonexistent-but-configured")));
    api = service.client;
    db = new TestDb();
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    db.close();
  }

  @BeforeEach
  void clean() throws Exception {
    TestInfra.truncateMetadata();
  }

  @Test
  void createQueuesAPendingWikiAndATaskInOneGo() throws Exception {
    String body = new JsonObject().put("name", "  Häagen Wiki 文 ").put("slug", "haagen-wiki").put("language", "zh-hans")
        .put("visibility", "unlisted").put("owner", new JsonObject().put("id", 42).put("username", "Zoë")).encode();
    ApiClient.Response r = api.postJson("/provisioner/v1/wikis", body);
    assertEquals(202, r.status(), r.body());
    String taskId = r.json().getString("task_id");
    assertTrue(UUID.matcher(taskId).matches(), taskId);
    assertEquals(1, r.json().size(), "only task_id in the body");
    assertEquals("/provisioner/v1/tasks/" + taskId + "/events", r.headers().firstValue("Location").orElseThrow());

    Row wiki = db.query("SELECT * FROM wikifarm_wikis WHERE slug = 'haagen-wiki'").iterator().next();
    assertEquals("Häagen Wiki 文", wiki.getString("name"), "name is trimmed, unicode kept");
    assertEquals("haagen-wiki.wiki.test", wiki.getString("domain"));
    assertEquals("zh-hans", wiki.getString("language"));
    assertEquals("unlisted", wiki.getString("visibility"));
    assertEquals("pending", wiki.getString("status"));
    assertEquals(42L, wiki.getLong("owner_user_id"));
    assertEquals("Zoë", wiki.getBuffer("owner_username").toString(StandardCharsets.UTF_8));

    Row task = db.query("SELECT * FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next();
    assertEquals("create_wiki", task.getString("type"));
    assertEquals("queued", task.getString("status"));
    assertEquals(0, task.getInteger("progress"));
    assertEquals(wiki.getLong("id"), task.getLong("wiki_id"));
    assertEquals(42L, task.getLong("created_by_user_id"));
    assertNull(task.getValue("started_at"));

    // the newcomer's check: the wiki is listed under its owner as pending
    JsonArray mine = api.get("/provisioner/v1/users/42/wikis").json().getJsonArray("wikis");
    assertEquals(1, mine.size());
    JsonObject listed = mine.getJsonObject(0);
    assertEquals("pending", listed.getString("status"));
    assertEquals("https://haagen-wiki.wiki.test/", listed.getString("url"));
    assertEquals(false, listed.getBoolean("is_featured"));
    assertTrue(ISO_UTC.matcher(listed.getString("created_at")).matches(), listed.getString("created_at"));
    assertEquals(java.util.Set.of("id", "name", "slug", "domain", "url", "language", "visibility", "status",
        "is_featured", "owner_user_id", "owner_username", "created_at", "updated_at"), listed.fieldNames());
  }

  @Test
  void defaultsApplyWhenOptionalFieldsAreMissing() throws Exception {
    assertEquals(202, api.postJson("/provisioner/v1/wikis", ApiClient.createBody("Plain", "plain")).status());
    Row wiki = db.query("SELECT language, visibility FROM wikifarm_wikis WHERE slug='plain'").iterator().next();
    assertEquals("en", wiki.getString("language"));
    assertEquals("public", wiki.getString("visibility"));
  }

  @Test
  void aNamedTemplateIsKeptInTheTaskRow() throws Exception {
    String body = new JsonObject().put("name", "Sci").put("slug", "sci-wiki").put("template", "science")
        .put("owner", new JsonObject().put("id", 1).put("username", "A")).encode();
    ApiClient.Response r = api.postJson("/provisioner/v1/wikis", body);
    assertEquals(202, r.status(), r.body());
    String spec = db.query("SELECT spec FROM wikifarm_tasks WHERE id = ?", r.json().getString("task_id"))
        .iterator().next().getString("spec");
    assertEquals("science", new JsonObject(spec).getString("template"), "durable in MariaDB, not only in Redis");
  }

  @Test
  void duplicateSlugIs409AndChangesNothing() throws Exception {
    assertEquals(202, api.postJson("/provisioner/v1/wikis", ApiClient.createBody("One", "same-slug")).status());
    ApiClient.Response second = api.postJson("/provisioner/v1/wikis", ApiClient.createBody("Two", "same-slug"));
    assertEquals(409, second.status());
    assertEquals("slug_taken", second.errorCode());
    assertEquals("slug", second.json().getJsonObject("error").getJsonObject("details").getString("field"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM wikifarm_wikis"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM wikifarm_tasks"));
  }

  @Test
  void idempotencyKeyReturnsTheSameTaskAndRejectsADifferentBody() throws Exception {
    String body = ApiClient.createBody("Idem", "idem-wiki");
    ApiClient.Response first = api.postJson("/provisioner/v1/wikis", body, "Idempotency-Key", "abc-123");
    ApiClient.Response again = api.postJson("/provisioner/v1/wikis", body, "Idempotency-Key", "abc-123");
    assertEquals(202, first.status());
    assertEquals(202, again.status(), again.body());
    assertEquals(first.json().getString("task_id"), again.json().getString("task_id"));
    assertEquals(1, db.count("SELECT COUNT(*) FROM wikifarm_tasks"));

    ApiClient.Response changed = api.postJson("/provisioner/v1/wikis", ApiClient.createBody("Other", "other-wiki"),
        "Idempotency-Key", "abc-123");
    assertEquals(422, changed.status());
    assertEquals("idempotency_key_reused", changed.errorCode());
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE slug='other-wiki'"));
  }

  @Test
  void slugAvailability() throws Exception {
    assertEquals(202, api.postJson("/provisioner/v1/wikis", ApiClient.createBody("Taken", "taken-slug")).status());
    JsonObject taken = api.get("/provisioner/v1/wikis/slug/taken-slug/exists").json();
    assertEquals(new JsonObject().put("slug", "taken-slug").put("exists", true).put("reason", "taken"), taken);
    JsonObject free = api.get("/provisioner/v1/wikis/slug/free-slug/exists").json();
    assertEquals(new JsonObject().put("slug", "free-slug").put("exists", false), free);
    for (String reserved : new String[] {"www", "portainer", "sharedwiki", "farmadmin", "mediawiki"}) {
      JsonObject r = api.get("/provisioner/v1/wikis/slug/" + reserved + "/exists").json();
      assertEquals("reserved", r.getString("reason"), reserved);
      assertTrue(r.getBoolean("exists"));
    }
    // a failed or deleting wiki still holds its slug
    db.query("UPDATE wikifarm_wikis SET status='failed' WHERE slug='taken-slug'");
    assertTrue(api.get("/provisioner/v1/wikis/slug/taken-slug/exists").json().getBoolean("exists"));
    ApiClient.Response bad = api.get("/provisioner/v1/wikis/slug/Bad_Slug/exists");
    assertEquals(400, bad.status());
    assertEquals("invalid_slug", bad.errorCode());
  }

  @Test
  void featuredListingShowsOnlyReadyPublicFeaturedWikis() throws Exception {
    insertWiki("feat-ready", "ready", "public", 1);
    insertWiki("feat-pending", "pending", "public", 1);
    insertWiki("feat-private", "ready", "private", 1);
    insertWiki("plain-ready", "ready", "public", 0);
    JsonArray featured = api.get("/provisioner/v1/wikis?featured=1").json().getJsonArray("wikis");
    assertEquals(1, featured.size());
    assertEquals("feat-ready", featured.getJsonObject(0).getString("slug"));
    assertEquals(true, featured.getJsonObject(0).getBoolean("is_featured"));
    JsonArray all = api.get("/provisioner/v1/wikis?featured=0").json().getJsonArray("wikis");
    assertEquals(2, all.size());
    assertEquals(1, api.get("/provisioner/v1/wikis").json().getJsonArray("wikis").size(), "featured=1 is the default");
  }

  @Test
  void paginationHasNextOffsetOnlyWhenMoreRowsExistAndIsStableForEqualTimestamps() throws Exception {
    for (int i = 0; i < 7; i++) {
      insertWiki("page-" + i, "ready", "public", 1);
    }
    db.query("UPDATE wikifarm_wikis SET created_at = '2026-01-01 00:00:00'"); // all equal: id breaks the tie
    StringBuilder seen = new StringBuilder();
    JsonObject page = api.get("/provisioner/v1/wikis?limit=3").json();
    assertEquals(3, page.getInteger("next_offset"));
    page.getJsonArray("wikis").forEach(w -> seen.append(((JsonObject) w).getString("slug")).append(' '));
    page = api.get("/provisioner/v1/wikis?limit=3&offset=3").json();
    assertEquals(6, page.getInteger("next_offset"));
    page.getJsonArray("wikis").forEach(w -> seen.append(((JsonObject) w).getString("slug")).append(' '));
    page = api.get("/provisioner/v1/wikis?limit=3&offset=6").json();
    assertFalse(page.containsKey("next_offset"), page.encode());
    page.getJsonArray("wikis").forEach(w -> seen.append(((JsonObject) w).getString("slug")).append(' '));
    assertEquals("page-6 page-5 page-4 page-3 page-2 page-1 page-0 ", seen.toString());
    JsonObject exact = api.get("/provisioner/v1/wikis?limit=7").json();
    assertFalse(exact.containsKey("next_offset"), "no next page when the rows end exactly at the limit");
  }

  @Test
  void ownerListingIncludesEveryStatusNewestFirstAndRejectsNonNumericIds() throws Exception {
    insertWiki("own-a", "failed", "private", 0);
    insertWiki("own-b", "ready", "public", 0);
    JsonArray wikis = api.get("/provisioner/v1/users/7/wikis").json().getJsonArray("wikis");
    assertEquals(2, wikis.size());
    assertEquals("own-b", wikis.getJsonObject(0).getString("slug"));
    assertEquals(0, api.get("/provisioner/v1/users/8/wikis").json().getJsonArray("wikis").size());
    for (String bad : new String[] {"abc", "-1", "0", "1.5", "99999999999"}) {
      ApiClient.Response r = api.get("/provisioner/v1/users/" + bad + "/wikis");
      assertEquals(400, r.status(), bad);
      assertEquals("invalid_user_id", r.errorCode());
    }
  }

  @Test
  void listingParametersAreValidated() throws Exception {
    for (String query : new String[] {"limit=abc", "limit=0", "limit=101", "offset=-1", "offset=x", "featured=yes"}) {
      ApiClient.Response r = api.get("/provisioner/v1/wikis?" + query);
      assertEquals(400, r.status(), query);
      assertEquals("invalid_parameter", r.errorCode(), query);
    }
  }

  @Test
  void protocolErrorsAreJson() throws Exception {
    ApiClient.Response unknown = api.get("/provisioner/v1/nope");
    assertEquals(404, unknown.status());
    assertEquals("not_found", unknown.errorCode());
    assertTrue(unknown.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));

    ApiClient.Response wrongMethod = api.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + service.app.httpPort() + "/provisioner/v1/wikis")).DELETE());
    assertEquals(405, wrongMethod.status());
    assertEquals("method_not_allowed", wrongMethod.errorCode());

    ApiClient.Response notJson = api.post("/provisioner/v1/wikis", ApiClient.createBody("X", "xyz"),
        "Content-Type", "text/plain");
    assertEquals(415, notJson.status());
    assertEquals("unsupported_media_type", notJson.errorCode());

    ApiClient.Response big = api.postJson("/provisioner/v1/wikis", "{\"name\":\"" + "a".repeat(1 << 20) + "\"}");
    assertEquals(413, big.status());
    assertEquals("payload_too_large", big.errorCode());
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis"));
  }

  @Test
  void healthAndReadiness() throws Exception {
    assertEquals(new JsonObject().put("status", "ok"), api.get("/provisioner/v1/health").json());
    assertEquals(200, api.get("/health").status());
    ApiClient.Response ready = api.get("/provisioner/v1/ready");
    // the configured 'science' template directory does not exist, so the service is not ready
    assertEquals(503, ready.status(), ready.body());
    JsonObject deps = ready.json().getJsonObject("dependencies");
    assertEquals("ok", deps.getString("mariadb"));
    assertEquals("ok", deps.getString("redis"));
    assertEquals("unavailable", deps.getString("templates"));
  }

  private static void insertWiki(String slug, String status, String visibility, int featured) throws Exception {
    db.query("INSERT INTO wikifarm_wikis (name, slug, domain, language, owner_user_id, owner_username, visibility, "
        + "status, is_featured) VALUES (?, ?, ?, 'en', 7, 'Alice', ?, ?, ?)", slug, slug, slug + ".wiki.test",
        visibility, status, featured);
  }
}
