package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/** The shared bearer token and the forward-auth ("headers") identity mode. */
class AccessControlTest {

  @BeforeEach
  void clean() throws Exception {
    TestInfra.truncateMetadata();
  }

  @Test
  void bearerTokenGuardsEveryApiRouteButNotTheRootProbes() throws Exception {
    try (RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("http").put("api-token", "s3cr3t-token"));
         TestDb db = new TestDb()) {
      ApiClient api = service.client;
      ApiClient.Response none = api.postJson("/provisioner/v1/wikis", ApiClient.createBody("T", "tok-wiki"));
      assertEquals(401, none.status());
      assertEquals("unauthorized", none.errorCode());
      assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(""));
      ApiClient.Response wrong = api.postJson("/provisioner/v1/wikis", ApiClient.createBody("T", "tok-wiki"),
          "Authorization", "Bearer s3cr3t-tokeX");
      assertEquals(401, wrong.status());
      assertEquals(401, api.get("/provisioner/v1/wikis").status());
      assertEquals(401, api.get("/provisioner/v1/health").status());
      assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis"));

      assertEquals(202, api.postJson("/provisioner/v1/wikis", ApiClient.createBody("T", "tok-wiki"),
          "Authorization", "Bearer s3cr3t-token").status());
      assertEquals(200, api.get("/provisioner/v1/wikis", "Authorization", "bearer s3cr3t-token").status());
      assertEquals(200, api.get("/health").status());
    }
  }

  @Test
  void headersIdentityTakesTheOwnerFromForwardAuthAndIgnoresTheBody() throws Exception {
    try (RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("http").put("identity", "headers"));
         TestDb db = new TestDb()) {
      ApiClient api = service.client;
      String body = new JsonObject().put("name", "H").put("slug", "hdr-wiki")
          .put("owner", new JsonObject().put("id", 999).put("username", "Mallory")).encode();
      ApiClient.Response missing = api.postJson("/provisioner/v1/wikis", body);
      assertEquals(401, missing.status());
      assertEquals("missing_identity", missing.errorCode());
      assertEquals(401, api.postJson("/provisioner/v1/wikis", body, "X-Auth-User-Id", "abc", "X-Auth-User", "Eve").status());
      assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis"));

      assertEquals(202, api.postJson("/provisioner/v1/wikis", body, "X-Auth-User-Id", "31", "X-Auth-User", "Carol").status());
      assertEquals(31L, db.count("SELECT owner_user_id FROM wikifarm_wikis WHERE slug='hdr-wiki'"));
      assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE owner_user_id = 999"));
      // in headers mode the body needs no owner at all
      String noOwner = new JsonObject().put("name", "H2").put("slug", "hdr-wiki-two").encode();
      assertEquals(202, api.postJson("/provisioner/v1/wikis", noOwner, "X-Auth-User-Id", "31", "X-Auth-User", "Carol").status());
    }
  }

  @Test
  void createsBeyondTheOwnersRateLimitAre429WithRetryAfterAndWriteNothing() throws Exception {
    try (RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("http")
        .put("create-rate-limit", 2).put("create-rate-window", "1h"));
         TestDb db = new TestDb()) {
      long owner = 1_000_000 + (System.nanoTime() % 1_000_000);
      ApiClient api = service.client;
      for (int i = 0; i < 2; i++) {
        assertEquals(202, api.postJson("/provisioner/v1/wikis", body("rate-" + owner + "-" + i, owner)).status());
      }
      ApiClient.Response limited = api.postJson("/provisioner/v1/wikis", body("rate-" + owner + "-x", owner));
      assertEquals(429, limited.status());
      assertEquals("rate_limited", limited.errorCode());
      long retryAfter = Long.parseLong(limited.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter >= 1 && retryAfter <= 3600, "Retry-After " + retryAfter);
      assertEquals(2, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE owner_user_id = ?", owner));
      // another owner is not affected
      assertEquals(202, api.postJson("/provisioner/v1/wikis", body("rate-other-" + owner, owner + 1)).status());
    }
  }

  private static String body(String slug, long owner) {
    return new JsonObject().put("name", slug).put("slug", slug)
        .put("owner", new JsonObject().put("id", owner).put("username", "U" + owner)).encode();
  }
}
