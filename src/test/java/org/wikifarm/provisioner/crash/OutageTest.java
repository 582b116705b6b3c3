package org.wikifarm.provisioner.crash;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.wikifarm.provisioner.sse.StreamAssertions.assertCompleteStream;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.EmbeddedRedis;
import org.wikifarm.provisioner.embedded.ServiceProcess;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.sse.SseClient;
import org.wikifarm.provisioner.sse.StreamAssertions.Ids;

/**
 * Dependency outages during a run, with the service as a separate JVM against the shared embedded servers:
 * Redis stopped for longer than the lease TTL and restarted <em>empty</em> (no persistence: ledger, lease,
 * journal and extras are gone), and MariaDB killing the service's connections. Each task still ends properly.
 * Own class: it stops the JVM-wide Redis, and always starts it again.
 */
class OutageTest {
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  /** Waits until the task runs phase 5 (progress 40 is persisted when oauth is done). */
  private static void awaitProgress(CrashKit kit, String taskId, int atLeast, ServiceProcess node) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (kit.progress(taskId) < atLeast) {
      if (System.nanoTime() > deadline) {
        fail("task " + taskId + " never reached " + atLeast + "%\n" + CrashRecoveryTest.log(node));
      }
      Thread.sleep(50);
    }
  }

  private static void redisOutage(Duration length) throws Exception {
    EmbeddedRedis redis = TestInfra.redis();
    redis.stop();
    try {
      Thread.sleep(length.toMillis());
    } finally {
      redis.restart();
    }
  }

  @Test
  void aRedisOutageLongerThanTheLeaseIsRiddenOut() throws Exception {
    String slug = "redis-out-" + Long.toString(System.nanoTime() % 100000, 36);
    try (CrashKit kit = new CrashKit("redis-outage")) {
      JsonObject config = kit.config(CrashKit.commands("echo installing; sleep 6; echo installed"),
          CrashKit.commands("echo indexing"));
      try (ServiceProcess node = ServiceProcess.start(config, kit.root.resolve("node"))) {
        String taskId = CrashKit.create(node.client(), slug, null, 3001);
        ExecutorService readers = Executors.newSingleThreadExecutor();
        Future<SseClient.Stream> live = readers.submit(() -> SseClient.read(node.port(), taskId, null, DEADLINE));
        awaitProgress(kit, taskId, 40, node);
        Thread.sleep(500);
        redisOutage(CrashKit.LEASE_TTL.multipliedBy(2)); // the lease, ledger and journal vanish
        kit.awaitTerminal(List.of(taskId), DEADLINE, () -> CrashRecoveryTest.log(node));
        readers.shutdown();
        // a late subscriber still gets the end: from what the journal kept since the restart, or the DB row
        SseClient.Stream late = SseClient.read(node.port(), taskId, null, Duration.ofSeconds(20));
        assertAll(
            () -> kit.assertSucceeded(slug, taskId),
            // events sent while Redis was down have no id, nor has the one a lost journal leaves (the task row)
            () -> assertCompleteStream(slug, live.get(30, TimeUnit.SECONDS), "succeeded", Ids.MAY_BE_MISSING),
            () -> assertCompleteStream(slug + " (late)", late, "succeeded", Ids.MAY_BE_MISSING),
            () -> assertTrue(!CrashRecoveryTest.log(node).contains("recovering it on this node"),
                "the task was never run twice"));
      }
    }
  }

  /**
   * Redis restarts empty while phase 5 runs (phases 5-7 record nothing), then the node dies before the index
   * phase; the node taking over finds the index command failing and must still roll back everything phases
   * 1-4 created: the ledger must have been put back after the restart.
   */
  @Test
  void aLedgerLostInARedisRestartIsRestoredBeforeTheNextCrash() throws Exception {
    String slug = "redis-crash-" + Long.toString(System.nanoTime() % 100000, 36);
    try (CrashKit kit = new CrashKit("redis-crash")) {
      JsonObject configA = kit.config(CrashKit.commands("echo installing; sleep 5; echo installed"),
          CrashKit.commands("echo indexing"));
      JsonObject configB = kit.config(CrashKit.commands("echo installing"),
          CrashKit.commands("echo 'search cluster unreachable' >&2; exit 3"));
      kit.pauseAt(slug, "index", "before", null);
      String taskId;
      try (ServiceProcess a = kit.startPausable(configA, kit.root.resolve("node-a"))) {
        taskId = CrashKit.create(a.client(), slug, null, 3002);
        awaitProgress(kit, taskId, 40, a);
        Thread.sleep(500);
        redisOutage(Duration.ofSeconds(2));
        CrashKit.awaitFile(kit.reachedMarker(slug, "index", "before"), DEADLINE, () -> CrashRecoveryTest.log(a));
        a.kill9();
      }
      try (ServiceProcess b = ServiceProcess.start(configB, kit.root.resolve("node-b"))) {
        kit.awaitTerminal(List.of(taskId), DEADLINE, () -> CrashRecoveryTest.log(b));
        kit.assertFailedClean(slug, taskId, "exited with status 3");
      }
    }
  }

  @Test
  void killedMariaDbConnectionsDoNotStopATask() throws Exception {
    String slug = "db-kill-" + Long.toString(System.nanoTime() % 100000, 36);
    try (CrashKit kit = new CrashKit("db-kill")) {
      JsonObject config = kit.config(
          CrashKit.commands("for i in 1 2 3 4 5 6 7 8; do echo install step $i; sleep 0.4; done"),
          CrashKit.commands("echo indexing; sleep 0.5; echo indexed"));
      try (ServiceProcess node = ServiceProcess.start(config, kit.root.resolve("node"))) {
        String taskId = CrashKit.create(node.client(), slug, null, 3003);
        awaitProgress(kit, taskId, 40, node);
        // kill every connection of the service's account, again and again, until the task is over
        int killed = 0;
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!List.of("succeeded", "failed").contains(kit.status(taskId)) && System.nanoTime() < until) {
          for (Row row : kit.db.query("SELECT id FROM information_schema.processlist WHERE user = 'provisioner'")) {
            try {
              kit.db.query("KILL " + row.getLong(0));
              killed++;
            } catch (Exception goneAlready) {
              // it ended between the listing and the KILL
            }
          }
          Thread.sleep(150);
        }
        assertTrue(killed > 0, "no connection of the service was killed");
        kit.awaitTerminal(List.of(taskId), DEADLINE, () -> CrashRecoveryTest.log(node));
        SseClient.Stream late = SseClient.read(node.port(), taskId, null, Duration.ofSeconds(20));
        assertAll(
            () -> kit.assertSucceeded(slug, taskId),
            () -> assertCompleteStream(slug, late, "succeeded", Ids.JOURNALED));
      }
    }
  }
}
