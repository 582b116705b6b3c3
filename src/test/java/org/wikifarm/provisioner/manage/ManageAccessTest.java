package org.wikifarm.provisioner.manage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.wikifarm.provisioner.manage.ManageKit.M;
import static org.wikifarm.provisioner.manage.ManageKit.OWNER;
import static org.wikifarm.provisioner.manage.ManageKit.STRANGER;
import static org.wikifarm.provisioner.manage.ManageKit.V1;
import static org.wikifarm.provisioner.manage.ManageKit.as;
import static org.wikifarm.provisioner.manage.ManageKit.with;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * Who may manage which wiki (SPEC §4.4): the identity headers in both identity modes (this service runs in the
 * default {@code body} mode), the owner only, the page's own wiki only ({@code X-Forwarded-Host}), existing
 * and ready wikis only; and nothing changes when a request is refused. Every route is checked.
 */
class ManageAccessTest {
  private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
  private static RunningService service;
  private static TestDb db;

  /** A route, how to call it, and whether it is the v1 PATCH (which has no host check). */
  private record Route(String method, String path, String contentType, byte[] body) {
    boolean isPatch() {
      return method.equals("PATCH");
    }
  }

  private static List<Route> routes(String slug) {
    byte[] set = "{\"deny\":{\"*\":[\"edit\"]}}".getBytes();
    return List.of(
        new Route("GET", M + slug + "/permissions", null, null),
        new Route("POST", M + slug + "/permissions", "application/json", set),
        new Route("GET", M + slug + "/extensions", null, null),
        new Route("GET", M + slug + "/skins", null, null),
        new Route("POST", M + slug + "/extensions/sync", "application/json", "[]".getBytes()),
        new Route("POST", M + slug + "/skins/sync", "application/json", "[]".getBytes()),
        new Route("PUT", M + slug + "/favicon", "image/png", PNG),
        new Route("PATCH", V1 + "/wikis/" + slug, "application/json", "{\"visibility\":\"private\"}".getBytes()));
  }

  @BeforeAll
  static void start() throws Exception {
    TestInfra.truncateMetadata();
    db = new TestDb();
    service = RunningService.startApiOnly(json -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    db.close();
  }

  @Test
  void onlyTheOwnerOfAReadyWikiOnItsOwnPageGetsThrough() throws Exception {
    ManageKit.readyWiki(service, db, "acc-ready");
    ManageKit.readyWiki(service, db, "acc-other");
    List<String> wrong = new ArrayList<>();
    for (Route route : routes("acc-ready")) {
      expect(wrong, route, 401, "missing_identity");
      expect(wrong, route, 401, "missing_identity", "X-Auth-User-Id", "42");
      expect(wrong, route, 400, "duplicate_identity_header", with(as(OWNER), "X-Auth-User-Id", "42"));
      expect(wrong, route, 403, "not_owner", as(STRANGER));
      if (!route.isPatch()) {
        expect(wrong, route, 400, "host_mismatch", with(as(OWNER), "X-Forwarded-Host", "acc-other.wiki.test"));
        expect(wrong, route, 400, "host_mismatch", with(as(OWNER), "X-Forwarded-Host", "ACC-OTHER.wiki.test:443"));
        expect(wrong, route, 400, "host_mismatch",
            with(as(OWNER), "X-Forwarded-Host", "acc-ready.wiki.test, acc-other.wiki.test"));
      }
    }
    assertEquals(List.of(), wrong, "answers that differ from the expected error");
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wiki_group_permissions"), "nothing stored");
    assertFalse(Files.exists(ManageKit.wikiDir(service, "acc-ready").resolve("favicon.ico")), "nothing written");
    assertFalse(Files.exists(ManageKit.permissionsFile(service, "acc-ready")), "nothing written");
    assertEquals("public", db.query("SELECT visibility FROM wikifarm_wikis WHERE slug = 'acc-ready'")
        .iterator().next().getString(0));

    // the owner, from the wiki's own page, the farm's main host, or a host outside the farm
    for (String host : List.of("acc-ready.wiki.test", "ACC-READY.wiki.test:8443", "wiki.test", "other.example.org")) {
      for (Route route : routes("acc-ready")) {
        ApiClient.Response r = call(route, with(as(OWNER), "X-Forwarded-Host", host));
        assertEquals(200, r.status(), route + " from " + host + ": " + r.body());
      }
    }
  }

  @Test
  void unknownInvalidAndNotReadyWikisAreRefused() throws Exception {
    ManageKit.readyWiki(service, db, "acc-pending");
    db.query("UPDATE wikifarm_wikis SET status = 'pending' WHERE slug = 'acc-pending'");
    ManageKit.readyWiki(service, db, "acc-deleting");
    db.query("UPDATE wikifarm_wikis SET status = 'deleting' WHERE slug = 'acc-deleting'");
    ManageKit.readyWiki(service, db, "acc-failed");
    db.query("UPDATE wikifarm_wikis SET status = 'failed' WHERE slug = 'acc-failed'");
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < routes("x").size(); i++) {
      expect(wrong, routes("no-such-wiki").get(i), 404, "not_found", as(OWNER));
      expect(wrong, routes("1wiki").get(i), 400, "invalid_slug", as(OWNER));
      expect(wrong, routes("acc-pending").get(i), 409, "wiki_not_ready", as(OWNER));
      expect(wrong, routes("acc-deleting").get(i), 409, "wiki_not_ready", as(OWNER));
      expect(wrong, routes("acc-failed").get(i), 409, "wiki_not_ready", as(OWNER));
    }
    assertEquals(List.of(), wrong, "answers that differ from the expected error");
    ApiClient.Response deleting = service.client.get(M + "acc-deleting/permissions", as(OWNER));
    assertEquals("deleting", deleting.json().getJsonObject("error").getJsonObject("details").getString("status"));
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wiki_group_permissions"), "nothing stored");
  }

  @Test
  void theBearerTokenAppliesToTheManageApiToo() throws Exception {
    try (RunningService guarded = RunningService.startApiOnly(json -> json.getJsonObject("http")
        .put("api-token", "s3cret-token"))) {
      ApiClient.Response without = guarded.client.get(M + "no-such-wiki/permissions", as(OWNER));
      assertEquals(401, without.status(), without.body());
      assertEquals("unauthorized", without.errorCode());
      ApiClient.Response with = guarded.client.get(M + "no-such-wiki/permissions",
          with(as(OWNER), "Authorization", "Bearer s3cret-token"));
      assertEquals(404, with.status(), "past the token, the wiki lookup answers: " + with.body());
    }
  }

  private static void expect(List<String> wrong, Route route, int status, String code, String... headers)
      throws Exception {
    ApiClient.Response r = call(route, headers);
    if (r.status() != status || !r.body().contains("\"code\":\"" + code + "\"")) {
      wrong.add(route.method() + " " + route.path() + " " + String.join(" ", headers) + " -> " + r.status() + " "
          + r.body());
    }
  }

  private static ApiClient.Response call(Route route, String... headers) throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.app.httpPort()
        + route.path())).method(route.method(), route.body() == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(route.body()));
    if (route.contentType() != null) {
      builder.header("Content-Type", route.contentType());
    }
    return service.client.send(builder, headers);
  }
}
