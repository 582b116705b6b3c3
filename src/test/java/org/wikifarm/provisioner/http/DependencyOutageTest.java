package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TcpProxy;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/** The metadata database going away mid-flight: clients get 503 + Retry-After, readiness says so, and it heals. */
class DependencyOutageTest {

  @Test
  void databaseOutageIs503AndTheServiceRecoversWhenItReturns() throws Exception {
    EmbeddedMariaDb mariaDb = TestInfra.mariaDb();
    try (TcpProxy proxy = new TcpProxy(mariaDb.port());
         RunningService service = RunningService.startApiOnly(json -> json.getJsonObject("database")
             .put("url", "mysql://" + EmbeddedMariaDb.APP_USER + ":" + EmbeddedMariaDb.APP_PASSWORD
                 + "@127.0.0.1:" + proxy.port() + "/" + EmbeddedMariaDb.METADATA_DB));
         TestDb db = new TestDb()) {
      ApiClient api = service.client;
      String slug = "outage-" + System.nanoTime() % 100000;
      assertEquals(200, api.get("/provisioner/v1/users/7/wikis").status());

      proxy.cut();
      ApiClient.Response down = api.postJson("/provisioner/v1/wikis", ApiClient.createBody("Outage", slug));
      assertEquals(503, down.status(), down.body());
      assertEquals("dependency_unavailable", down.errorCode());
      assertEquals("5", down.headers().firstValue("Retry-After").orElse(""));
      assertFalse(down.body().contains(EmbeddedMariaDb.APP_PASSWORD));
      ApiClient.Response ready = api.get("/ready");
      assertEquals(503, ready.status());
      assertEquals("unavailable", ready.json().getJsonObject("dependencies").getString("mariadb"));
      assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE slug = ?", slug));

      proxy.restore();
      ApiClient.Response up = api.postJson("/provisioner/v1/wikis", ApiClient.createBody("Outage", slug));
      assertEquals(202, up.status(), up.body());
      assertEquals("ok", api.get("/ready").json().getJsonObject("dependencies").getString("mariadb"));
    }
  }
}
