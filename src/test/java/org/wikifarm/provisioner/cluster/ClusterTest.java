package org.wikifarm.provisioner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wikifarm.provisioner.sse.StreamAssertions.assertCompleteStream;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.ServiceProcess;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.sse.SseClient;
import org.wikifarm.provisioner.sse.SseClient.Event;
import org.wikifarm.provisioner.sse.StreamAssertions.Ids;
import org.wikifarm.provisioner.store.RedisKeys;

/**
 * Two service nodes as separate JVMs forming a Hazelcast cluster on 127.0.0.1, sharing the real MariaDB and
 * Redis and one farm directory: cross-node SSE, work spread over both workers (each task exactly once),
 * failover after kill -9 mid-phase, and isolation of a node with another cluster name. The nodes are reused
 * across the ordered tests; the failover test kills one of them, so it runs after the ones needing both.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
  private static final Duration LEASE = Duration.ofSeconds(4);
  private static final List<String> PHASES = org.wikifarm.provisioner.sse.StreamAssertions.CREATE_PHASES;
  /** Phase 5: records each run in the wiki dir; wikis named slow-* take 5 s there (the "mid-phase" window). */
  private static final String INSTALL = "echo run >> .cluster-test-install; "
      + "case \"$(basename \"$(pwd)\")\" in slow-*) sleep 5;; *) sleep 0.3;; esac";

  private static Path dir;
  private static Path farm;
  private static JsonObject base;
  private static final Map<String, ServiceProcess> nodes = new HashMap<>();
  private static TestDb db;
  private static Vertx vertx;
  private static RedisAPI redis;
  private static RedisKeys keys;
  private static String dbNamePrefix;

  @BeforeAll
  static void startTwoNodes() throws Exception {
    // an empty queue: the nodes share the test JVM's database, and tasks left queued or running by earlier
    // classes would otherwise be claimed here and upset the per-node task counts
    TestInfra.truncateMetadata();
    dir = Files.createTempDirectory(TestInfra.scratch(), "cluster");
    farm = dir.resolve("farm");
    base = TestConfigs.json(farm);
    base.getJsonObject("executor").put("install-commands",
        new JsonArray().add(new JsonArray().add("sh").add("-c").add(INSTALL)));
    base.getJsonObject("worker").put("concurrency", 2).put("lease-ttl", LEASE.toMillis() + "ms");
    AppConfig names = ConfigLoader.fromJson(base); // the nodes' configurations only add a cluster section
    keys = new RedisKeys(names.redis().keyPrefix());
    dbNamePrefix = names.wikiDb().namePrefix();
    int hzA = EmbeddedMariaDb.freePort();
    int hzB = EmbeddedMariaDb.freePort();
    JsonArray members = new JsonArray().add("127.0.0.1:" + hzA).add("127.0.0.1:" + hzB);
    String name = "wikifarm-test-" + ProcessHandle.current().pid();
    nodes.put("A", ServiceProcess.start(withCluster(name, hzA, members, 1), dir.resolve("A")));
    nodes.put("B", ServiceProcess.start(withCluster(name, hzB, members, 1), dir.resolve("B")));
    awaitMembers(nodes.get("A"), 2);
    awaitMembers(nodes.get("B"), 2);
    db = new TestDb();
    vertx = Vertx.vertx();
    redis = RedisAPI.api(Redis.createClient(vertx, TestInfra.redis().url()));
  }

  @AfterAll
  static void stopNodes() throws Exception {
    for (ServiceProcess node : nodes.values()) {
      node.close();
    }
    if (db != null) {
      db.close();
    }
    if (vertx != null) {
      vertx.close();
    }
  }

  private static JsonObject withCluster(String name, int port, JsonArray members, int minMembers) throws Exception {
    JsonObject json = base.copy();
    json.put("cluster", new JsonObject().put("enabled", true).put("name", name).put("host", "127.0.0.1")
        .put("port", port).put("bus-port", EmbeddedMariaDb.freePort()).put("members", members).put("min-members", minMembers));
    return json;
  }

  private static JsonObject ready(ServiceProcess node) throws Exception {
    return node.client().get("/ready").json();
  }

  private static void awaitMembers(ServiceProcess node, int members) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      last = ready(node);
      JsonObject cluster = last.getJsonObject("cluster");
      if (cluster != null && cluster.getInteger("members") == members) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("node on " + node.port() + " never saw " + members + " members: " + last);
  }

  private static String create(ServiceProcess node, String slug) throws Exception {
    String body = new JsonObject().put("name", "Cluster " + slug).put("slug", slug)
        .put("owner", new JsonObject().put("id", 91).put("username", "Clusterer")).encode();
    ApiClient.Response r = node.client().postJson("/provisioner/v1/wikis", body);
    assertEquals(202, r.status(), r.body());
    return r.json().getString("task_id");
  }

  private static String slug(String prefix) {
    return prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  }

  private static List<String> phasesInOrder(SseClient.Stream stream) {
    List<String> phases = new ArrayList<>();
    for (Event e : stream.events()) {
      String phase = e.data().getString("phase");
      if (phase != null && (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase))) {
        phases.add(phase);
      }
    }
    return phases;
  }

  private static int count(String log, String regex) {
    Matcher m = Pattern.compile(regex).matcher(log);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  @Order(1)
  void bothNodesReportTheClusterInReady() throws Exception {
    for (ServiceProcess node : nodes.values()) {
      JsonObject ready = ready(node);
      assertEquals("ok", ready.getJsonObject("dependencies").getString("cluster"), ready.encode());
      JsonObject cluster = ready.getJsonObject("cluster");
      assertEquals(2, cluster.getInteger("members"), ready.encode());
      assertTrue(cluster.getBoolean("member"), ready.encode());
      assertTrue(cluster.getJsonArray("nodes").contains(cluster.getString("node_id")), ready.encode());
    }
    assertEquals(ready(nodes.get("A")).getJsonObject("cluster").getJsonArray("nodes").getList().stream().sorted().toList(),
        ready(nodes.get("B")).getJsonObject("cluster").getJsonArray("nodes").getList().stream().sorted().toList());
  }

  @Test
  @Order(2)
  void createdOnASubscribedOnBSeesTheWholeOrderedStream() throws Exception {
    String slug = slug("sse");
    String taskId = create(nodes.get("A"), slug);
    SseClient.Stream stream = SseClient.read(nodes.get("B").port(), taskId, null, Duration.ofSeconds(90));
    assertCompleteStream(slug, stream, "succeeded", Ids.JOURNALED);
    assertEquals(PHASES, phasesInOrder(stream), "every phase once, in order");
    // the same sequence replayed from node A's side
    SseClient.Stream again = SseClient.read(nodes.get("A").port(), taskId, null, Duration.ofSeconds(10));
    assertEquals(stream.events(), again.events());
    assertEquals("succeeded", db.query("SELECT status FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next()
        .getString("status"));
  }

  @Test
  @Order(3)
  void twentyTasksSubmittedToAAreSpreadOverBothNodesEachRunOnce() throws Exception {
    int countA = count(nodes.get("A").log(), "task \\S+: starting wiki ");
    int countB = count(nodes.get("B").log(), "task \\S+: starting wiki ");
    Map<String, String> slugs = new HashMap<>();
    for (int i = 0; i < 20; i++) {
      String slug = slug("spread" + i);
      slugs.put(create(nodes.get("A"), slug), slug);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    String in = "'" + String.join("','", slugs.keySet()) + "'";
    while (db.count("SELECT COUNT(*) FROM wikifarm_tasks WHERE status IN ('succeeded','failed') AND id IN (" + in + ")")
        < slugs.size()) {
      assertTrue(System.nanoTime() < deadline, "20 tasks finish in time");
      Thread.sleep(250);
    }
    assertEquals(20, db.count("SELECT COUNT(*) FROM wikifarm_tasks WHERE status = 'succeeded' AND id IN (" + in + ")"));

    String logA = nodes.get("A").log();
    String logB = nodes.get("B").log();
    int ranOnA = 0;
    int ranOnB = 0;
    for (Map.Entry<String, String> task : slugs.entrySet()) {
      String line = "task " + task.getKey() + ": starting wiki " + task.getValue();
      int a = count(logA, Pattern.quote(line));
      int b = count(logB, Pattern.quote(line));
      assertEquals(1, a + b, "task " + task.getKey() + " started exactly once over both nodes");
      assertEquals(0, count(logA + logB, Pattern.quote("task " + task.getKey() + ": resuming")), "never resumed");
      ranOnA += a;
      ranOnB += b;
      // phase 5 ran exactly once for it (its command appends one line per run in the wiki directory)
      assertEquals(List.of("run"), Files.readAllLines(farm.resolve("wikis").resolve(task.getValue())
          .resolve(".cluster-test-install")), task.getValue());
      // and its journal holds each phase once, in order
      SseClient.Stream stream = SseClient.read(nodes.get("B").port(), task.getKey(), null, Duration.ofSeconds(10));
      assertCompleteStream(task.getValue(), stream, "succeeded", Ids.JOURNALED);
      assertEquals(PHASES, phasesInOrder(stream));
    }
    assertEquals(20, ranOnA + ranOnB);
    assertEquals(countA + ranOnA, count(logA, "task \\S+: starting wiki "), "node A ran nothing else");
    assertEquals(countB + ranOnB, count(logB, "task \\S+: starting wiki "), "node B ran nothing else");
    assertTrue(ranOnA >= 1 && ranOnB >= 1, "both workers took part: A ran " + ranOnA + ", B ran " + ranOnB);
    System.out.println("work spread: A ran " + ranOnA + ", B ran " + ranOnB);
  }

  @Test
  @Order(4)
  void killingTheNodeRunningATaskMidPhaseLetsTheOtherFinishItAndItsSubscriberSeeTheEnd() throws Exception {
    String slug = slug("slow");
    String taskId = create(nodes.get("A"), slug);
    String runner = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (runner == null) {
      assertTrue(System.nanoTime() < deadline, "the task starts somewhere");
      for (Map.Entry<String, ServiceProcess> node : nodes.entrySet()) {
        if (node.getValue().log().contains("task " + taskId + ": starting wiki " + slug)) {
          runner = node.getKey();
        }
      }
      Thread.sleep(100);
    }
    String survivorName = runner.equals("A") ? "B" : "A";
    ServiceProcess victim = nodes.get(runner);
    ServiceProcess survivor = nodes.get(survivorName);

    // the subscriber sits on the node that survives, from before the crash to the end
    CompletableFuture<SseClient.Stream> watched = CompletableFuture.supplyAsync(() -> {
      try {
        return SseClient.read(survivor.port(), taskId, null, Duration.ofSeconds(120));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });

    // mid-phase: phase 5's command is running (it has written its marker and sleeps 5 s)
    Path marker = farm.resolve("wikis").resolve(slug).resolve(".cluster-test-install");
    while (!Files.exists(marker)) {
      assertTrue(System.nanoTime() < deadline, "phase 5 starts");
      Thread.sleep(50);
    }
    Thread.sleep(1000);
    victim.kill9();
    long killedAt = System.nanoTime();
    nodes.remove(runner);

    SseClient.Stream stream = watched.get(120, TimeUnit.SECONDS);
    double tookSeconds = (System.nanoTime() - killedAt) / 1e9;
    String status = assertCompleteStream(slug, stream, Ids.JOURNALED).data().getString("status");
    String log = survivor.log();
    assertTrue(log.contains("task " + taskId + ": its lease expired; recovering it on this node"), log);
    assertTrue(log.contains("task " + taskId + ": resuming wiki " + slug), log);
    // lease expiry + the re-run of the 5 s phase and the two short phases after it + a margin for 2 busy cores
    assertTrue(tookSeconds < LEASE.toSeconds() + 5 + 15, "finished " + tookSeconds + " s after the kill");
    System.out.println("failover: terminal '" + status + "' " + tookSeconds + " s after kill -9 of node " + runner);

    List<String> phases = phasesInOrder(stream);
    assertEquals(PHASES.subList(0, 5), phases.subList(0, 5), "phases 1-5 in order before the crash: " + phases);

    Row task = db.query("SELECT status, wiki_id FROM wikifarm_tasks WHERE id = ?", taskId).iterator().next();
    assertEquals(status, task.getString("status"));
    String dbName = PhaseContext.dbName(dbNamePrefix, slug); // also the wiki's DB user
    if ("succeeded".equals(status)) {
      assertEquals(PHASES, List.copyOf(new java.util.LinkedHashSet<>(phases)), "every phase reached: " + phases);
      assertEquals("ready", db.query("SELECT status FROM wikifarm_wikis WHERE slug = ?", slug).iterator().next()
          .getString("status"));
      assertTrue(Files.isRegularFile(farm.resolve("wikis").resolve(slug).resolve("pubwiki.ini")));
      assertTrue(Files.isRegularFile(farm.resolve("oauth").resolve(slug).resolve("oauth.key")));
      assertEquals(1, db.count("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", dbName));
    } else {
      assertEquals("failed", status);
      assertFalse(Files.exists(farm.resolve("wikis").resolve(slug)), "no wiki directory left");
      assertFalse(Files.exists(farm.resolve("oauth").resolve(slug)), "no key directory left");
      assertEquals(0, db.count("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", dbName));
      assertEquals(0, db.count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", dbName));
      assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE slug = ?", slug));
    }
    // nothing of the run is left in Redis: no lease, no ledger
    assertNull(redis.get(keys.taskLease(taskId)).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals(0L, redis.exists(List.of(keys.taskLedger(taskId), keys.taskDone(taskId))).toCompletionStage()
        .toCompletableFuture().get(5, TimeUnit.SECONDS).toLong());
    assertEquals(0, db.count("SELECT COUNT(*) FROM wikifarm_tasks WHERE status IN ('queued','running')"));
    awaitMembers(survivor, 1);
  }

  @Test
  @Order(5)
  void aNodeWithAnotherClusterNameDoesNotJoinAndItsGateStaysClosed() throws Exception {
    ServiceProcess survivor = nodes.values().iterator().next();
    int port = EmbeddedMariaDb.freePort();
    assertEquals(1, ready(survivor).getJsonObject("cluster").getInteger("members"), "alone after the failover");
    // pointed at the test cluster's member ports, with a quorum of 2 that it can never reach
    JsonArray members = new JsonArray();
    members.addAll(new JsonArray(clusterMembersOf(survivor))).add("127.0.0.1:" + port);
    JsonObject json = withCluster("another-farm", port, members, 2);
    try (ServiceProcess stranger = ServiceProcess.start(json, dir.resolve("C"))) {
      Thread.sleep(8000); // Hazelcast's join attempts and a merge check would have happened by now
      JsonObject ready = stranger.client().get("/ready").json();
      assertEquals(1, ready.getJsonObject("cluster").getInteger("members"), ready.encode());
      assertEquals("unavailable", ready.getJsonObject("dependencies").getString("cluster"), ready.encode());
      assertEquals(503, stranger.client().get("/ready").status());
      assertEquals(1, ready(survivor).getJsonObject("cluster").getInteger("members"), "the farm did not grow");

      // its worker does not claim: a task submitted to it is run by the real cluster's node
      String slug = slug("stray");
      String taskId = create(stranger, slug);
      SseClient.Stream stream = SseClient.read(survivor.port(), taskId, null, Duration.ofSeconds(60));
      assertCompleteStream(slug, stream, "succeeded", Ids.JOURNALED);
      assertTrue(survivor.log().contains("task " + taskId + ": starting wiki " + slug));
      assertFalse(stranger.log().contains("task " + taskId + ": starting"), "the stranger claimed nothing");
      assertTrue(stranger.log().contains("not a healthy cluster member"), stranger.log());
    }
  }

  /** The Hazelcast member list from a node's config file (written by ServiceProcess next to its log). */
  private static List<String> clusterMembersOf(ServiceProcess node) throws Exception {
    Path conf = dir.resolve(nodes.entrySet().stream().filter(e -> e.getValue() == node).findFirst().orElseThrow()
        .getKey()).resolve("node-" + node.port() + ".yaml");
    return new JsonObject(Files.readString(conf)).getJsonObject("cluster").getJsonArray("members").stream()
        .map(String::valueOf).toList();
  }
}
