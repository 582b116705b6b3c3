package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * What the extension's client and its forward-auth proxy send (SPEC §4, §4.5): the public list, one wiki,
 * owners' lists with privacy, identity headers as MediaWiki sends them (raw UTF-8), strict JSON, a rate limit
 * that counts only accepted creates, Idempotency-Keys racing each other, and codec-level errors as JSON.
 */
class ExtensionCallsTest {
  private static final String B = "/provisioner/v1";

  @BeforeEach
  void clean() throws Exception {
    TestInfra.truncateMetadata();
  }

  @Test
  void publicListOneWikiAndOwnerListsFollowThePrivacyRulesOfHeadersMode() throws Exception {
    try (RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("http").put("identity", "headers"));
         TestDb db = new TestDb()) {
      ApiClient api = service.client;
      for (String[] w : new String[][] {{"pub-one", "public"}, {"pub-two", "public"}, {"priv-one", "private"},
          {"unl-one", "unlisted"}}) {
        assertEquals(202, api.postJson(B + "/wikis", new JsonObject().put("name", w[0]).put("slug", w[0])
            .put("visibility", w[1]).encode(), "X-Auth-User-Id", "42", "X-Auth-User", "Alice").status());
      }
      db.query("UPDATE wikifarm_wikis SET status = 'ready'");

      // the extension's public list: ready public wikis only, newest first, paged
      ApiClient.Response all = api.get(B + "/wikis/public", "Content-Type", "application/json");
      assertEquals(200, all.status(), all.body());
      assertEquals(List.of("pub-two", "pub-one"), slugs(all.json().getJsonArray("wikis")));
      ApiClient.Response page = api.get(B + "/wikis/public?limit=1");
      assertEquals(List.of("pub-two"), slugs(page.json().getJsonArray("wikis")));
      assertEquals(1, page.json().getInteger("next_offset"));
      assertEquals(400, api.get(B + "/wikis/public?limit=abc").status());

      // one wiki: a private one is visible to its owner only; others get the same 404 as for a missing slug
      assertEquals("pub-one", api.get(B + "/wikis/pub-one").json().getString("slug"));
      assertEquals(404, api.get(B + "/wikis/priv-one").status());
      assertEquals(404, api.get(B + "/wikis/priv-one", "X-Auth-User-Id", "7", "X-Auth-User", "Bob").status());
      ApiClient.Response own = api.get(B + "/wikis/priv-one", "X-Auth-User-Id", "42", "X-Auth-User", "Alice");
      assertEquals(200, own.status(), own.body());
      assertEquals("private", own.json().getString("visibility"));
      assertFalse(own.body().contains("/srv") || own.body().contains("farm/"), "no paths: " + own.body());
      assertEquals(404, api.get(B + "/wikis/no-such-wiki").status());
      assertEquals("invalid_slug", api.get(B + "/wikis/1wiki").errorCode());

      // an owner's list: everything for the owner, only public wikis for anyone else (or nobody)
      assertEquals(Set.of("pub-one", "pub-two"), Set.copyOf(slugs(api.get(B + "/users/42/wikis").json().getJsonArray("wikis"))));
      assertEquals(Set.of("pub-one", "pub-two"), Set.copyOf(slugs(api.get(B + "/users/42/wikis",
          "X-Auth-User-Id", "7", "X-Auth-User", "Bob").json().getJsonArray("wikis"))));
      assertEquals(Set.of("pub-one", "pub-two", "priv-one", "unl-one"), Set.copyOf(slugs(api.get(B + "/users/42/wikis",
          "X-Auth-User-Id", "42", "X-Auth-User", "Alice").json().getJsonArray("wikis"))));
    }
  }

  @Test
  void slugErrorsSayWhichRuleTheLooserClientCheckMissed() throws Exception {
    try (RunningService service = RunningService.startApiOnly()) {
      ApiClient.Response r = service.client.get(B + "/wikis/slug/1wiki/exists");
      assertEquals(400, r.status());
      assertEquals("invalid_slug", r.errorCode());
      assertTrue(r.json().getJsonObject("error").getString("message").contains("start with a lowercase letter"), r.body());
      assertEquals("reserved", service.client.get(B + "/wikis/slug/public/exists").json().getString("reason"));
    }
  }

  @Test
  void identityHeadersAreReadAsMediaWikiSendsThem() throws Exception {
    try (RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("http").put("identity", "headers"));
         TestDb db = new TestDb()) {
      int port = service.app.httpPort();
      String body = "{\"name\":\"Unicode\",\"slug\":\"uni-raw\",\"visibility\":\"public\"}";
      byte[] rawName = "Zoë 张三".getBytes(StandardCharsets.UTF_8);
      Raw created = Raw.post(port, B + "/wikis", body, "X-Auth-User-Id: 77\r\n", header("X-Auth-User", rawName));
      assertEquals(202, created.status, created.body);
      assertEquals("Zoë 张三", ownerName(db, "uni-raw"));

      // percent-encoded (a MediaWiki title never contains %XX itself)
      Raw encoded = Raw.post(port, B + "/wikis", body.replace("uni-raw", "uni-pct"),
          "X-Auth-User-Id: 78\r\nX-Auth-User: Zo%C3%AB%20%E5%BC%A0\r\n");
      assertEquals(202, encoded.status, encoded.body);
      assertEquals("Zoë 张", ownerName(db, "uni-pct"));

      Raw invalid = Raw.post(port, B + "/wikis", body.replace("uni-raw", "uni-bad"), "X-Auth-User-Id: 79\r\n",
          header("X-Auth-User", new byte[] {'Z', (byte) 0xff, (byte) 0xfe}));
      assertEquals(401, invalid.status, invalid.body);
      assertTrue(invalid.body.contains("\"missing_identity\""), invalid.body);

      Raw twice = Raw.post(port, B + "/wikis", body.replace("uni-raw", "uni-two"),
          "X-Auth-User-Id: 80\r\nX-Auth-User-Id: 81\r\nX-Auth-User: Eve\r\n");
      assertEquals(400, twice.status, twice.body);
      assertTrue(twice.body.contains("\"duplicate_identity_header\""), twice.body);
      assertEquals(2, db.count("SELECT COUNT(*) FROM wikifarm_wikis"));
      assertEquals(200, service.client.get(B + "/users/77/wikis").status());
    }
  }

  @Test
  void bodiesAreStrictJsonAndNamesAreNeverBlank() throws Exception {
    try (RunningService service = RunningService.startApiOnly(); TestDb db = new TestDb()) {
      ApiClient api = service.client;
      String owner = ",\"owner\":{\"id\":5,\"username\":\"U\"}}";
      ApiClient.Response comment = api.postJson(B + "/wikis", "{/* hi */\"name\":\"C\",\"slug\":\"com-ment\"" + owner);
      assertEquals("invalid_json", comment.errorCode(), comment.body());
      ApiClient.Response bom = api.postJson(B + "/wikis", "\uFEFF{\"name\":\"B\",\"slug\":\"bom-wiki\"" + owner);
      assertEquals("invalid_json", bom.errorCode(), bom.body());
      ApiClient.Response twice = api.postJson(B + "/wikis", "{\"name\":\"T\",\"slug\":\"two-a\",\"slug\":\"two-b\"" + owner);
      assertEquals("invalid_json", twice.errorCode(), twice.body());
      ApiClient.Response jsonp = api.post(B + "/wikis", "{\"name\":\"J\",\"slug\":\"jsonp-wiki\"" + owner,
          "Content-Type", "application/jsonp");
      assertEquals(415, jsonp.status(), jsonp.body());
      ApiClient.Response charset = api.post(B + "/wikis", "{\"name\":\"J\",\"slug\":\"charset-wiki\"" + owner,
          "Content-Type", "application/json; charset=utf-8");
      assertEquals(202, charset.status(), charset.body());
      for (String blank : List.of("\u00a0\u00a0", "\u3000", "\u200b\u2060", "\u202f \u2007")) {
        ApiClient.Response r = api.postJson(B + "/wikis", new JsonObject().put("name", blank).put("slug", "blank-name")
            .put("owner", new JsonObject().put("id", 5).put("username", "U")).encode());
        assertEquals("invalid_name", r.errorCode(), "name " + blank.codePoints().boxed().toList() + ": " + r.body());
      }
      ApiClient.Response huge = api.postJson(B + "/wikis", "{\"name\":\"O\",\"slug\":\"owner-wrap\","
          + "\"owner\":{\"id\":18446744073709551617,\"username\":\"U\"}}");
      assertEquals("invalid_owner", huge.errorCode(), huge.body());
      assertEquals(1, db.count("SELECT COUNT(*) FROM wikifarm_wikis"));
    }
  }

  @Test
  void theRateLimitCountsOnlyAcceptedCreates() throws Exception {
    try (RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("http")
        .put("create-rate-limit", 5).put("create-rate-window", "1h"));
         TestDb db = new TestDb()) {
      long owner = 2_000_000 + (System.nanoTime() % 1_000_000);
      List<Integer> statuses = parallel(30, i -> service.client.postJson(B + "/wikis", body("same-slug", owner)).status());
      assertEquals(1, statuses.stream().filter(s -> s == 202).count(), statuses.toString());
      assertEquals(29, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
      // the 29 rejections consumed nothing: four more fit in the window of five
      for (int i = 0; i < 4; i++) {
        assertEquals(202, service.client.postJson(B + "/wikis", body("more-" + i, owner)).status());
      }
      assertEquals(429, service.client.postJson(B + "/wikis", body("one-too-many", owner)).status());
      assertEquals(400, service.client.postJson(B + "/wikis", body("X", owner)).status());
      assertEquals(5, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE owner_user_id = ?", owner));
    }
  }

  @Test
  void requestsRacingWithOneIdempotencyKeyAllGetTheSameTask() throws Exception {
    try (RunningService service = RunningService.startApiOnly(); TestDb db = new TestDb()) {
      String key = "race-" + System.nanoTime();
      List<ApiClient.Response> responses = parallel(10, i -> service.client.postJson(B + "/wikis",
          body("idem-race", 9), "Idempotency-Key", key));
      Set<String> ids = new HashSet<>();
      for (ApiClient.Response r : responses) {
        assertEquals(202, r.status(), r.body());
        ids.add(r.json().getString("task_id"));
      }
      assertEquals(1, ids.size(), ids.toString());
      assertEquals(1, db.count("SELECT COUNT(*) FROM wikifarm_tasks"));
      ApiClient.Response other = service.client.postJson(B + "/wikis", body("idem-other", 9), "Idempotency-Key", key);
      assertEquals(422, other.status(), other.body());
      // a key whose first request failed (409) is free again for a corrected request
      String key2 = "retry-" + System.nanoTime();
      assertEquals(409, service.client.postJson(B + "/wikis", body("idem-race", 9), "Idempotency-Key", key2).status());
      assertEquals(202, service.client.postJson(B + "/wikis", body("idem-race", 9).replace("idem-race", "idem-fixed"),
          "Idempotency-Key", key2).status());
    }
  }

  @Test
  void codecErrorsAreJsonAndLoggedOnceWithoutAStackTrace() throws Exception {
    List<LogRecord> records = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        synchronized (records) {
          records.add(r);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try (RunningService service = RunningService.startApiOnly()) {
      int port = service.app.httpPort();
      Raw longUri = Raw.send(port, ("GET " + B + "/wikis?x=" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: t\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertEquals(414, longUri.status, longUri.body);
      assertTrue(longUri.body.contains("\"uri_too_long\""), longUri.body);
      Raw bigHeader = Raw.send(port, ("GET " + B + "/wikis HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(20_000)
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      assertEquals(431, bigHeader.status, bigHeader.body);
      assertTrue(bigHeader.body.contains("\"headers_too_large\""), bigHeader.body);
      Raw badLength = Raw.send(port, ("POST " + B + "/wikis HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
          + "Content-Length: abc\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
      assertEquals(400, badLength.status, badLength.body);
      assertTrue(badLength.body.contains("\"error\""), badLength.body);
      // a body that breaks after the headers were accepted: Vert.x closes the connection itself (no response
      // can be written any more); what matters is that it ends at once and costs one WARNING, not an incident
      byte[] badChunk = ("POST " + B + "/wikis HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(badChunk);
        byte[] rest = socket.getInputStream().readAllBytes();
        String text = new String(rest, StandardCharsets.UTF_8);
        assertTrue(text.isEmpty() || text.contains("\"malformed_request\""), text);
      }
      assertEquals(200, service.client.get(B + "/wikis").status(), "the server is unaffected");
    } finally {
      root.removeHandler(capture);
    }
    synchronized (records) {
      for (LogRecord r : records) {
        if (r.getLoggerName() == null || r.getLoggerName().startsWith("ch.vorburger")) {
          continue; // the embedded MariaDB's own output
        }
        assertFalse(r.getLevel().intValue() >= Level.SEVERE.intValue(), "SEVERE: " + r.getMessage());
        assertTrue(r.getThrown() == null || r.getLevel().intValue() < Level.WARNING.intValue(),
            "stack trace logged: " + r.getMessage());
      }
    }
  }

  private static String body(String slug, long owner) {
    return new JsonObject().put("name", slug).put("slug", slug)
        .put("owner", new JsonObject().put("id", owner).put("username", "U" + owner)).encode();
  }

  private static List<String> slugs(JsonArray wikis) {
    return ApiClient.slugsOf(wikis);
  }

  private static String ownerName(TestDb db, String slug) throws Exception {
    return new String(db.query("SELECT owner_username FROM wikifarm_wikis WHERE slug = ?", slug).iterator().next()
        .getBuffer("owner_username").getBytes(), StandardCharsets.UTF_8);
  }

  private static <T> List<T> parallel(int n, IndexedCall<T> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int index = i;
        futures.add(pool.submit((Callable<T>) () -> call.call(index)));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private interface IndexedCall<T> {
    T call(int index) throws Exception;
  }

  private static byte[] header(String name, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes((name + ": ").getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(value);
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  /** One HTTP/1.1 exchange over a raw socket: header bytes exactly as given (java.net.http would re-encode them). */
  private record Raw(int status, String body) {
    static Raw post(int port, String path, String json, Object... headerParts) throws Exception {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] payload = json.getBytes(StandardCharsets.UTF_8);
      out.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + payload.length + "\r\nConnection: close\r\n").getBytes(StandardCharsets.US_ASCII));
      for (Object part : headerParts) {
        out.writeBytes(part instanceof byte[] b ? b : part.toString().getBytes(StandardCharsets.US_ASCII));
      }
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(payload);
      return send(port, out.toByteArray());
    }

    static Raw send(int port, byte[] request) throws Exception {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(request);
        out.flush();
        InputStream in = socket.getInputStream();
        String response = readResponse(in);
        if (response.length() < 12) {
          throw new AssertionError("no HTTP response to: " + new String(request, 0, Math.min(120, request.length),
              StandardCharsets.ISO_8859_1));
        }
        int status = Integer.parseInt(response.substring(9, 12));
        int split = response.indexOf("\r\n\r\n");
        return new Raw(status, split < 0 ? "" : response.substring(split + 4));
      }
    }

    /** Reads the status line, headers and a Content-Length body (the server may keep the socket open). */
    private static String readResponse(InputStream in) throws Exception {
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      int contentLength = -1;
      int headerEnd = -1;
      byte[] chunk = new byte[8192];
      while (true) {
        if (headerEnd >= 0 && contentLength >= 0 && buf.size() >= headerEnd + 4 + contentLength) {
          break;
        }
        int n;
        try {
          n = in.read(chunk);
        } catch (java.net.SocketException closed) {
          break;
        }
        if (n < 0) {
          break;
        }
        buf.write(chunk, 0, n);
        String text = buf.toString(StandardCharsets.UTF_8);
        if (headerEnd < 0 && (headerEnd = text.indexOf("\r\n\r\n")) >= 0) {
          for (String line : text.substring(0, headerEnd).split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
              contentLength = Integer.parseInt(line.substring(15).strip());
            }
          }
          if (contentLength < 0) {
            contentLength = 0;
          }
        }
      }
      return buf.toString(StandardCharsets.UTF_8);
    }
  }
}
