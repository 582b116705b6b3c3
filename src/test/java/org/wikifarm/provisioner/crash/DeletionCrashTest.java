package org.wikifarm.provisioner.crash;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wikifarm.provisioner.sse.StreamAssertions.assertCompleteStream;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.ServiceProcess;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.sse.SseClient;
import org.wikifarm.provisioner.sse.StreamAssertions;
import org.wikifarm.provisioner.sse.StreamAssertions.Ids;

/**
 * SPEC §6.2 + §8 for deletions, with real processes: node A (a separate JVM) deletes many wikis at once, each
 * stopped by a pause file at a different deletion phase boundary, then A is SIGKILLed. Node B, started while A
 * was alive (it must not steal leased tasks), takes every delete over and ends each {@code succeeded} with zero
 * leftovers and exactly one verified archive. Three cases also leave what a crash <em>inside</em> a phase
 * leaves — a half-written archive, the DB user dropped but not the database, a wiki directory renamed for
 * deletion and half deleted, its marker already gone — which the resumed run must finish.
 */
class DeletionCrashTest {
  private static final Duration TAKEOVER = Duration.ofSeconds(90);

  record Case(String slug, String phase, String point) {}

  @Test
  void aCrashAtEveryDeletionPhaseBoundaryIsFinishedByAnotherNode() throws Exception {
    String run = Long.toString(System.nanoTime() % 100000, 36);
    List<Case> cases = new ArrayList<>();
    for (String phase : StreamAssertions.DELETE_PHASES) {
      int i = StreamAssertions.DELETE_PHASES.indexOf(phase);
      cases.add(new Case("db" + i + "-" + run, phase, "before"));
      cases.add(new Case("da" + i + "-" + run, phase, "after"));
    }
    cases.add(new Case("dfin-" + run, "finish", "before"));
    Case halfArchive = new Case("dm-arch-" + run, "archive", "before");
    Case userGone = new Case("dm-db-" + run, "drop_db", "before");
    Case halfDir = new Case("dm-dir-" + run, "remove_dir", "before");
    cases.addAll(List.of(halfArchive, userGone, halfDir));

    try (CrashKit kit = new CrashKit("delcrash")) {
      Path archives = Files.createDirectories(kit.root.resolve("archives"));
      JsonObject config = kit.config(new JsonArray(), new JsonArray());
      config.getJsonObject("farm").put("archive-dir", archives.toString());
      Map<Case, String> creates = new LinkedHashMap<>();
      Map<Case, String> deletes = new LinkedHashMap<>();
      ServiceProcess b = null;
      try {
        try (ServiceProcess a = kit.startPausable(config, kit.root.resolve("node-a"))) {
          int owner = 2000;
          for (Case c : cases) {
            creates.put(c, CrashKit.create(a.client(), c.slug(), null, owner++));
          }
          kit.awaitTerminal(new ArrayList<>(creates.values()), TAKEOVER, () -> log(a));
          owner = 2000;
          for (Case c : cases) {
            assertEquals("succeeded", kit.status(creates.get(c)), c.slug());
            kit.pauseAt(c.slug(), c.phase(), c.point(), null); // only now: a create passes finish-before too
            int id = owner++;
            ApiClient.Response r = a.client().delete("/provisioner/v1/wikis/" + c.slug(),
                "X-Auth-User-Id", Integer.toString(id), "X-Auth-User", "Crasher" + id);
            assertEquals(202, r.status(), r.body());
            deletes.put(c, r.json().getString("task_id"));
          }
          for (Case c : cases) {
            CrashKit.awaitFile(kit.reachedMarker(c.slug(), c.phase(), c.point()), Duration.ofSeconds(90),
                () -> log(a));
          }
          b = ServiceProcess.start(config, kit.root.resolve("node-b"));
          Thread.sleep(CrashKit.LEASE_TTL.multipliedBy(2).toMillis());
          for (Case c : cases) {
            assertEquals("running", kit.status(deletes.get(c)), c + " while its node is alive");
          }
          a.kill9();
        }
        crashedInside(kit, archives, halfArchive, userGone, halfDir, deletes);

        ServiceProcess nodeB = b;
        ExecutorService readers = Executors.newFixedThreadPool(cases.size());
        Map<Case, Future<SseClient.Stream>> streams = new LinkedHashMap<>();
        for (Case c : cases) {
          streams.put(c, readers.submit(() -> SseClient.read(nodeB.port(), deletes.get(c), null, TAKEOVER)));
        }
        kit.awaitTerminal(new ArrayList<>(deletes.values()), TAKEOVER, () -> log(nodeB));
        List<Executable> checks = new ArrayList<>();
        for (Case c : cases) {
          checks.add(() -> assertDeleted(kit, archives, c.slug(), creates.get(c), deletes.get(c)));
          checks.add(() -> assertCompleteStream(c.slug(), streams.get(c).get(30, TimeUnit.SECONDS), "succeeded",
              Ids.JOURNALED));
        }
        try {
          assertAll(checks); // the streams are read to their end first: stopping the readers earlier interrupts them
        } finally {
          readers.shutdownNow();
        }
      } finally {
        if (b != null) {
          b.close();
        }
      }
    }
  }

  /** What a SIGKILL inside a phase leaves, made by hand while no node runs the tasks. */
  private static void crashedInside(CrashKit kit, Path archives, Case halfArchive, Case userGone, Case halfDir,
      Map<Case, String> deletes) throws Exception {
    String archiveName = new JsonObject(kit.db.query("SELECT spec FROM wikifarm_tasks WHERE id = ?",
        deletes.get(halfArchive)).iterator().next().getString("spec")).getString("archive");
    Path partial = Files.createDirectories(archives.resolve("." + archiveName + ".partial"));
    Files.writeString(partial.resolve("database.sql.gz"), "half a dump");

    TestInfra.mariaDb().run("DROP USER `" + kit.dbName(userGone.slug()) + "`@'%'", null);

    Path dir = kit.farm.resolve("wikis").resolve(halfDir.slug());
    Path trash = dir.resolveSibling("." + halfDir.slug() + "." + deletes.get(halfDir) + ".deleting");
    Files.move(dir, trash);
    Files.delete(trash.resolve(".wikifarm-task"));
    Files.delete(trash.resolve("pubwiki.ini"));
  }

  /** Succeeded at 100 with nothing of the wiki left, and one complete archive named as its spec says. */
  private static void assertDeleted(CrashKit kit, Path archives, String slug, String createTask, String deleteTask)
      throws Exception {
    Row task = kit.db.query("SELECT status, progress, message, spec FROM wikifarm_tasks WHERE id = ?", deleteTask)
        .iterator().next();
    assertEquals("succeeded", task.getString("status"), slug + ": " + task.getString("message"));
    assertEquals(100, task.getInteger("progress"), slug);
    assertEquals(0, kit.db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE slug = ?", slug), slug + ": wiki row");
    for (String root : List.of("wikis", "oauth")) {
      assertFalse(Files.exists(kit.farm.resolve(root).resolve(slug)), slug + ": " + root);
      try (Stream<Path> listing = Files.list(kit.farm.resolve(root))) {
        assertEquals(List.of(), listing.filter(p -> p.getFileName().toString().startsWith("." + slug + "."))
            .toList(), slug + ": hidden copies in " + root);
      }
    }
    String name = kit.dbName(slug);
    assertEquals(0, kit.db.count("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", name),
        slug + ": database");
    assertEquals(0, kit.db.count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", name), slug + ": DB user");
    assertEquals(0, kit.db.count("SELECT COUNT(*) FROM mysql.tables_priv WHERE User = ?", name), slug + ": grants");
    kit.assertNoTaskKeys(createTask);
    kit.assertNoTaskKeys(deleteTask);
    String archiveName = new JsonObject(task.getString("spec")).getString("archive");
    try (Stream<Path> listing = Files.list(archives)) {
      assertEquals(List.of(archiveName), listing.map(p -> p.getFileName().toString())
          .filter(n -> n.contains(slug + "-")).toList(), slug + ": one archive, no partial one");
    }
    JsonObject manifest = new JsonObject(Files.readString(archives.resolve(archiveName).resolve("manifest.json")));
    assertEquals(deleteTask, manifest.getString("delete_task"), slug);
    assertEquals(3, manifest.getJsonArray("files").size(), slug + ": dump, wiki and keys archived");
    for (Object f : manifest.getJsonArray("files")) {
      JsonObject file = (JsonObject) f;
      assertEquals(file.getLong("size"), Files.size(archives.resolve(archiveName).resolve(file.getString("name"))),
          slug + ": " + file.getString("name"));
    }
  }

  private static String log(ServiceProcess node) {
    try {
      String all = node.log();
      return all.length() <= 20000 ? all : all.substring(all.length() - 20000);
    } catch (Exception e) {
      return "(log unreadable: " + e + ")";
    }
  }
}
