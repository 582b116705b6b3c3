package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.ImageIO;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TcpProxy;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * A session through every route of the API and each of its statuses, for {@link OpenApiConformanceTest}: an
 * API-only node with a bearer token, headers identity and a create limit of 2, whose database connection runs
 * through a proxy that is cut at the end (503). Asserts only the statuses; the shapes are the document's to judge.
 */
final class ApiSession {
  private static final String V1 = "/provisioner/v1";
  private static final String M = "/manage/v1/wikis/";
  private static final String TOKEN = "conformance-Token-" + System.nanoTime();

  private final RunningService service;
  private final ApiClient api;
  private final long owner = 4_000_000 + ThreadLocalRandom.current().nextInt(1_000_000);
  private final String tag = Long.toString(System.nanoTime() % 1_000_000, 36);

  private ApiSession(RunningService service) {
    this.service = service;
    this.api = service.client;
  }

  static void drive(JsonObject document) throws Exception {
    EmbeddedMariaDb mariaDb = TestInfra.mariaDb();
    try (TcpProxy proxy = new TcpProxy(mariaDb.port());
         RunningService service = RunningService.startApiOnly(json -> {
           json.getJsonObject("http").put("api-token", TOKEN).put("identity", "headers").put("create-rate-limit", 2);
           json.getJsonObject("database").put("url", "mysql://" + EmbeddedMariaDb.APP_USER + ":"
               + EmbeddedMariaDb.APP_PASSWORD + "@127.0.0.1:" + proxy.port() + "/" + EmbeddedMariaDb.METADATA_DB);
         });
         TestDb db = new TestDb()) {
      ApiSession session = new ApiSession(service);
      session.operations(document);
      String ready = "oa-ready-" + session.tag;
      String pending = "oa-pend-" + session.tag;
      String taskId = session.creates(ready, pending);
      db.query("UPDATE wikifarm_wikis SET status = 'ready' WHERE slug = ?", ready);
      db.query("UPDATE wikifarm_tasks SET status = 'succeeded', progress = 100 WHERE id = ?", taskId);
      Path dir = Files.createDirectories(service.farm.resolve("wikis").resolve(ready));
      try (InputStream in = ApiSession.class.getResourceAsStream("/demo-template/pubwiki.ini")) {
        Files.copy(in, dir.resolve("pubwiki.ini"));
      }
      Files.createDirectories(dir.resolve("extensions"));
      Files.createDirectories(dir.resolve("skins"));
      session.reads(ready, taskId);
      session.patches(ready, pending);
      session.manage(ready, pending);

      proxy.cut();
      session.expect(503, session.get(V1 + "/wikis"));
      session.expect(503, service.client.get("/ready"));
    }
  }

  private void operations(JsonObject document) throws Exception {
    expect(200, api.get("/health"));
    expect(200, api.get("/ready"));
    expect(200, api.get("/metrics"));
    expect(200, get(V1 + "/health"));
    expect(200, get(V1 + "/ready"));
    ApiClient.Response served = expect(200, get(V1 + "/openapi.json"));
    assertEquals(document, served.json(), "the served document is the resource");
    expect(401, api.get(V1 + "/openapi.json"));
    expect(401, api.get(V1 + "/wikis", "Authorization", "Bearer wrong"));
    expect(404, get(V1 + "/no-such-route"));
    expect(405, api.send(request(V1 + "/wikis").PUT(HttpRequest.BodyPublishers.ofString("{}")), as(owner)));
  }

  /** Creates the two wikis of the session and every create error; returns the first wiki's task id. */
  private String creates(String ready, String pending) throws Exception {
    String body = new JsonObject().put("name", "Conformance").put("slug", ready).encode();
    String key = "oa-key-" + tag;
    String taskId = expect(202, post(V1 + "/wikis", body, "Idempotency-Key", key)).json().getString("task_id");
    expect(202, post(V1 + "/wikis", body, "Idempotency-Key", key));
    expect(422, post(V1 + "/wikis", body.replace("Conformance", "Other"), "Idempotency-Key", key));
    expect(409, post(V1 + "/wikis", body));
    expect(400, post(V1 + "/wikis", new JsonObject().put("name", "Bad").put("slug", "Bad_Slug").encode()));
    expect(400, post(V1 + "/wikis", "{\"name\":\"x\","));
    expect(401, api.postJson(V1 + "/wikis", body, auth()));
    expect(413, post(V1 + "/wikis", "{\"name\":\"" + "x".repeat(70_000) + "\",\"slug\":\"big-one\"}"));
    expect(415, api.post(V1 + "/wikis", body, with(as(owner), "Content-Type", "text/plain")));
    expect(202, post(V1 + "/wikis", new JsonObject().put("name", "Pending").put("slug", pending).encode()));
    expect(429, post(V1 + "/wikis", new JsonObject().put("name", "Third").put("slug", "oa-third-" + tag).encode()));
    return taskId;
  }

  private void reads(String ready, String taskId) throws Exception {
    expect(200, get(V1 + "/wikis"));
    expect(200, get(V1 + "/wikis?featured=0&limit=1"));
    expect(400, get(V1 + "/wikis?limit=abc"));
    expect(200, get(V1 + "/wikis/public?limit=100&offset=0"));
    expect(200, get(V1 + "/wikis/" + ready));
    expect(404, get(V1 + "/wikis/no-such-" + tag));
    expect(400, get(V1 + "/wikis/Bad_Slug"));
    expect(200, get(V1 + "/wikis/slug/" + ready + "/exists"));
    expect(200, get(V1 + "/wikis/slug/free-" + tag + "/exists"));
    expect(200, get(V1 + "/wikis/slug/admin/exists"));
    expect(400, get(V1 + "/wikis/slug/1wiki/exists"));
    expect(200, get(V1 + "/users/" + owner + "/wikis"));
    expect(400, get(V1 + "/users/abc/wikis"));
    expect(200, get(V1 + "/tasks/" + taskId + "/events")); // ended: replayed, then the stream closes
    expect(400, get(V1 + "/tasks/not-a-task/events"));
    expect(404, get(V1 + "/tasks/00000000-0000-4000-8000-000000000000/events"));
  }

  private void patches(String ready, String pending) throws Exception {
    expect(200, patch(V1 + "/wikis/" + ready, "{\"visibility\":\"private\",\"name\":\"Renamed\"}", as(owner)));
    expect(400, patch(V1 + "/wikis/" + ready, "{\"slug\":\"other\"}", as(owner)));
    expect(403, patch(V1 + "/wikis/" + ready, "{\"visibility\":\"public\"}", as(owner + 1)));
    expect(404, patch(V1 + "/wikis/no-such-" + tag, "{\"visibility\":\"public\"}", as(owner)));
    expect(409, patch(V1 + "/wikis/" + pending, "{\"visibility\":\"public\"}", as(owner)));
    expect(401, patch(V1 + "/wikis/" + ready, "{\"visibility\":\"public\"}", new String[0]));
  }

  private void manage(String ready, String pending) throws Exception {
    String permissions = "{\"allow\":{\"sysop\":[\"protect\"]},\"deny\":{\"*\":[\"edit\"]}}";
    expect(200, get(M + ready + "/permissions"));
    expect(200, post(M + ready + "/permissions", permissions));
    expect(400, post(M + ready + "/permissions", "{\"allow\":{\"Bad Group\":[\"edit\"]},\"deny\":{}}"));
    expect(413, post(M + ready + "/permissions", "{\"allow\":{\"a\":[\"" + "b".repeat(70_000) + "\"]}}"));
    expect(415, api.post(M + ready + "/permissions", permissions, with(as(owner), "Content-Type", "text/plain")));
    expect(200, get(M + ready + "/extensions"));
    expect(200, get(M + ready + "/skins"));
    expect(200, post(M + ready + "/extensions/sync", "[]"));
    expect(400, post(M + ready + "/extensions/sync", "[\"NoSuchExtension\"]"));
    expect(200, post(M + ready + "/skins/sync", "[]"));
    expect(200, api.send(request(M + ready + "/favicon").PUT(HttpRequest.BodyPublishers.ofByteArray(png())),
        with(as(owner), "Content-Type", "image/png")));
    expect(415, api.send(request(M + ready + "/favicon").PUT(HttpRequest.BodyPublishers.ofString("GIF89a")),
        with(as(owner), "Content-Type", "text/plain")));
    expect(403, api.get(M + ready + "/permissions", as(owner + 1)));
    expect(404, get(M + "no-such-" + tag + "/permissions"));
    expect(409, get(M + pending + "/extensions"));
    expect(400, api.get(M + ready + "/skins", with(as(owner), "X-Forwarded-Host", "other.wiki.test")));
    expect(401, api.get(M + ready + "/skins", auth()));
  }

  private static ApiClient.Response expect(int status, ApiClient.Response response) {
    assertEquals(status, response.status(), response.body());
    return response;
  }

  private ApiClient.Response get(String path) throws Exception {
    return api.get(path, as(owner));
  }

  private ApiClient.Response post(String path, String body, String... more) throws Exception {
    return api.postJson(path, body, with(as(owner), more));
  }

  private ApiClient.Response patch(String path, String body, String[] identity) throws Exception {
    return api.send(request(path).method("PATCH", HttpRequest.BodyPublishers.ofString(body)),
        with(identity, "Content-Type", "application/json"));
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.app.httpPort() + path));
  }

  private static String[] auth() {
    return new String[] {"Authorization", "Bearer " + TOKEN};
  }

  /** The token and the identity headers of user {@code id}. */
  private static String[] as(long id) {
    return with(auth(), "X-Auth-User-Id", Long.toString(id), "X-Auth-User", "User " + id);
  }

  private static String[] with(String[] headers, String... more) {
    String[] all = Arrays.copyOf(headers, headers.length + more.length);
    System.arraycopy(more, 0, all, headers.length, more.length);
    return all;
  }

  private static byte[] png() throws Exception {
    BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    image.setRGB(3, 3, 0x3366ff);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }
}
