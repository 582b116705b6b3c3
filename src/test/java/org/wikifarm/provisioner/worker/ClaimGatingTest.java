package org.wikifarm.provisioner.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TcpProxy;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * A node claims a task only while it can run one (SPEC §8): with a wrong admin password or a missing template
 * tasks stay queued and /ready says why, and they run once the node can. A database outage in the middle of
 * db_provision is ridden out by the bounded transient retry instead of failing the task.
 */
class ClaimGatingTest {

  @BeforeEach
  void clean() throws Exception {
    TestInfra.truncateMetadata();
  }

  @Test
  void aWrongAdminPasswordKeepsTasksQueuedAndReadySaysWhy() throws Exception {
    try (RunningService service = RunningService.start(json -> json.getJsonObject("wiki-db")
        .put("admin-password", "not-the-admin-password"));
         TestDb db = new TestDb()) {
      ApiClient.Response ready = service.client.get("/ready");
      assertEquals(503, ready.status(), ready.body());
      assertEquals("unavailable", ready.json().getJsonObject("dependencies").getString("admin-db"));
      String why = ready.json().getJsonObject("problems").getString("admin-db");
      assertTrue(why.contains("refused the admin login"), why);
      assertFalse(ready.body().contains("not-the-admin-password"), "no secret in /ready");

      String task = created(service.client, "gate-admin");
      Thread.sleep(3_000);
      assertEquals("queued", status(db, task), "not claimed and failed, left for a node that can run it");
    }
  }

  @Test
  void aMissingTemplateKeepsTasksQueuedUntilItIsThere() throws Exception {
    Path[] template = new Path[1];
    try (RunningService service = RunningService.start(json -> {
      template[0] = Path.of(json.getJsonObject("farm").getString("template"));
    }); TestDb db = new TestDb()) {
      Path aside = template[0].resolveSibling("template-aside");
      Files.move(template[0], aside);
      Thread.sleep(2_500); // one gate period
      assertTrue(service.client.get("/ready").json().getJsonObject("problems").getString("templates")
          .contains("missing"));
      String task = created(service.client, "gate-template");
      Thread.sleep(3_000);
      assertEquals("queued", status(db, task));

      Files.move(aside, template[0]);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!"succeeded".equals(status(db, task)) && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      assertEquals("succeeded", status(db, task), "claimed and built once the template is back");
    }
  }

  @Test
  void anEightSecondDatabaseOutageDuringDbProvisionIsRiddenOut() throws Exception {
    EmbeddedMariaDb mariaDb = TestInfra.mariaDb();
    AtomicBoolean cut = new AtomicBoolean();
    try (TcpProxy adminPath = new TcpProxy(mariaDb.port());
         TestDb db = new TestDb()) {
      Checkpoints outage = (slug, phase, point, kind) -> {
        if ("db_provision".equals(phase) && "before".equals(point) && cut.compareAndSet(false, true)) {
          try {
            adminPath.cut();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          Thread restore = new Thread(() -> {
            try {
              Thread.sleep(8_000);
              adminPath.restore();
            } catch (Exception ignored) {
              // the test fails on the task's status
            }
          });
          restore.setDaemon(true);
          restore.start();
        }
      };
      try (RunningService service = RunningService.start(json -> json.getJsonObject("wiki-db")
          .put("host", "127.0.0.1:" + adminPath.port()), outage)) {
        String task = created(service.client, "gate-outage");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Set.of("succeeded", "failed").contains(status(db, task)) && System.nanoTime() < deadline) {
          Thread.sleep(250);
        }
        assertTrue(cut.get(), "the outage happened during db_provision");
        assertEquals("succeeded", status(db, task), String.valueOf(db.query(
            "SELECT message FROM wikifarm_tasks WHERE id = ?", task).iterator().next().getString("message")));
      }
    }
  }

  private static String created(ApiClient api, String slug) throws Exception {
    ApiClient.Response r = api.postJson("/provisioner/v1/wikis", ApiClient.createBody("Gate " + slug, slug));
    assertEquals(202, r.status(), r.body());
    return r.json().getString("task_id");
  }

  private static String status(TestDb db, String task) throws Exception {
    return db.query("SELECT status FROM wikifarm_tasks WHERE id = ?", task).iterator().next().getString("status");
  }
}
