package org.wikifarm.provisioner.crash;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.wikifarm.provisioner.embedded.ServiceProcess;
import org.wikifarm.provisioner.sse.StreamAssertions;

/**
 * Redis restarts empty (no persistence) and the node is killed in the same moment — at every phase boundary
 * and right after every kind of ledger record. The ledgers, done-sets, leases and journals are gone; the
 * resources carry their own proof (directory markers, the database COMMENT), so another node still ends every
 * task succeeded or failed with zero leftovers, and a look-alike of every resource that no task made is left
 * exactly as it was (SPEC §6 "Durability", issue 10).
 */
class RedisLossTest {
  private static final Duration TAKEOVER = Duration.ofSeconds(120);

  record Case(String slug, String phase, String point, String ledgerKind) {}

  @Test
  void redisEmptiedAndTheNodeKilledAtEveryPointLeavesNoHalfCreatedWiki() throws Exception {
    String run = Long.toString(System.nanoTime() % 100000, 36);
    List<Case> cases = new ArrayList<>();
    for (String phase : StreamAssertions.CREATE_PHASES) {
      int i = StreamAssertions.CREATE_PHASES.indexOf(phase);
      cases.add(new Case("rb" + i + "-" + run, phase, "before", null));
      cases.add(new Case("ra" + i + "-" + run, phase, "after", null));
    }
    cases.add(new Case("rfin-" + run, "finish", "before", null));
    cases.add(new Case("rm-copy-" + run, "dir_copy", "mid", "directory"));
    cases.add(new Case("rm-ini-" + run, "render_ini", "mid", "file"));
    cases.add(new Case("rm-db-" + run, "db_provision", "mid", "db_user"));
    cases.add(new Case("rm-keys-" + run, "oauth", "mid", "directory"));

    try (CrashKit kit = new CrashKit("redis-loss")) {
      JsonObject config = kit.config(CrashKit.commands("echo installing; echo install ok"),
          CrashKit.commands("echo indexing; echo indexed"));
      String lookalike = "look-" + run;
      Map<Case, String> tasks = new LinkedHashMap<>();
      try (ServiceProcess a = kit.startPausable(config, kit.root.resolve("node-a"))) {
        Map<String, String> beforeLookalike = plantLookalike(kit, lookalike);
        int owner = 3000;
        for (Case c : cases) {
          kit.pauseAt(c.slug(), c.phase(), c.point(), c.ledgerKind());
          tasks.put(c, CrashKit.create(a.client(), c.slug(), null, owner++));
        }
        for (Case c : cases) {
          CrashKit.awaitFile(kit.reachedMarker(c.slug(), c.phase(), c.point()), Duration.ofSeconds(90), () -> log(a));
        }
        a.kill9();
        kit.forgetRedis();

        try (ServiceProcess b = ServiceProcess.start(config, kit.root.resolve("node-b"))) {
          kit.awaitTerminal(new ArrayList<>(tasks.values()), TAKEOVER, () -> log(b));
          List<Executable> checks = new ArrayList<>();
          for (Case c : cases) {
            checks.add(() -> {
              String status = kit.status(tasks.get(c));
              if ("succeeded".equals(status)) {
                kit.assertSucceeded(c.slug(), tasks.get(c));
              } else {
                kit.assertFailedClean(c.slug(), tasks.get(c), "");
              }
            });
          }
          checks.add(() -> assertEquals(beforeLookalike, lookalikeState(kit, lookalike), "look-alikes untouched"));
          assertAll(checks);
          long succeeded = tasks.values().stream().filter(t -> {
            try {
              return "succeeded".equals(kit.status(t));
            } catch (Exception e) {
              return false;
            }
          }).count();
          System.out.println("after Redis lost everything: " + succeeded + " of " + cases.size() + " succeeded, "
              + "the rest failed with nothing left");
          assertTrue(succeeded > 0, "resuming from the resources' own proof works, not only rolling back");
        }
      }
    }
  }

  /** Resources named like a wiki that no task creates: a directory, a key directory, a database, a DB user. */
  private static Map<String, String> plantLookalike(CrashKit kit, String slug) throws Exception {
    Path dir = Files.createDirectories(kit.farm.resolve("wikis").resolve(slug));
    Files.writeString(dir.resolve("LocalSettings.php"), "<?php // someone else's wiki\n");
    Path keys = Files.createDirectories(kit.farm.resolve("oauth").resolve(slug));
    Files.writeString(keys.resolve("oauth.key"), "not ours");
    kit.db.query("CREATE DATABASE IF NOT EXISTS `" + kit.dbName(slug) + "`");
    kit.db.query("CREATE USER IF NOT EXISTS '" + kit.dbName(slug) + "'@'%' IDENTIFIED BY 'lookalike-pw'");
    return lookalikeState(kit, slug);
  }

  private static Map<String, String> lookalikeState(CrashKit kit, String slug) throws Exception {
    Map<String, String> state = new LinkedHashMap<>();
    Path dir = kit.farm.resolve("wikis").resolve(slug);
    state.put("dir", Files.exists(dir.resolve("LocalSettings.php")) ? Files.readString(dir.resolve("LocalSettings.php")) : "gone");
    Path key = kit.farm.resolve("oauth").resolve(slug).resolve("oauth.key");
    state.put("keys", Files.exists(key) ? Files.readString(key) : "gone");
    state.put("db", Long.toString(kit.db.count(
        "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", kit.dbName(slug))));
    state.put("user", Long.toString(kit.db.count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", kit.dbName(slug))));
    return state;
  }

  private static String log(ServiceProcess node) {
    try {
      String log = node.log();
      return log.length() > 6000 ? log.substring(log.length() - 6000) : log;
    } catch (Exception e) {
      return "(no log: " + e + ")";
    }
  }
}
