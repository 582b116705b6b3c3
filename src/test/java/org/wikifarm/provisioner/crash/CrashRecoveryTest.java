package org.wikifarm.provisioner.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.wikifarm.provisioner.provision.phases.FileTrees;
import org.wikifarm.provisioner.embedded.ServiceProcess;
import org.wikifarm.provisioner.sse.SseClient;
import org.wikifarm.provisioner.sse.StreamAssertions.Ids;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.wikifarm.provisioner.sse.StreamAssertions.assertCompleteStream;

/**
 * SPEC §8 fault tolerance with real processes: node A (a separate JVM) runs many tasks at once, each stopped
 * by a test-only pause file at a different point — every phase boundary, inside phases right after a ledger
 * record, and while a phase-5 command runs — then A is SIGKILLed. Node B, another JVM started while A was
 * still alive (it must not steal leased tasks), takes every task over once the leases expire and ends each
 * one {@code succeeded} (resumed) or {@code failed} with zero leftovers. SSE on node B replays A's events and
 * streams its own, with monotonic progress, to the terminal event. The command A was running outlives A (as a
 * container exec would); B must stop it before running the phase again, and say so.
 */
class CrashRecoveryTest {
  private static final List<String> PHASES = org.wikifarm.provisioner.sse.StreamAssertions.CREATE_PHASES;
  private static final Duration TAKEOVER = Duration.ofSeconds(90);
  /**
   * Lease expiry + recovery poll + running the rest of 24 tasks at once on a 2-core machine that CI may share:
   * a bound that catches a takeover that waits for something (a timeout, a missed lease), not a speed figure.
   */
  private static final Duration MARGIN = Duration.ofSeconds(60);

  /** Phase 5 stops inside its first command when {@code <pauses>/<slug>/pause-cmd} exists. */
  private static String pausableInstall(Path pauses) {
    return "slug=$(basename \"$PWD\"); d='" + pauses + "'/$slug; "
        + "if [ -e \"$d/pause-cmd\" ]; then echo $$ > \"$d/cmd.pid\"; echo installing; "
        + "touch \"$d/reached-docker_install-cmd\"; exec sleep 300; fi; echo installing; echo install ok";
  }

  record Case(String slug, String phase, String point, String ledgerKind) {}

  @Test
  void aCrashAtEveryBoundaryAndMidPhaseIsResumedByAnotherNode() throws Exception {
    String run = Long.toString(System.nanoTime() % 100000, 36);
    List<Case> cases = new ArrayList<>();
    for (String phase : PHASES) {
      cases.add(new Case("b" + PHASES.indexOf(phase) + "-" + run, phase, "before", null));
      cases.add(new Case("a" + PHASES.indexOf(phase) + "-" + run, phase, "after", null));
    }
    cases.add(new Case("fin-" + run, "finish", "before", null));
    cases.add(new Case("m-copy-" + run, "dir_copy", "mid", "directory"));
    cases.add(new Case("m-ini-" + run, "render_ini", "mid", "file"));
    cases.add(new Case("m-db-" + run, "db_provision", "mid", "db_user")); // CREATE DATABASE done, no user yet
    cases.add(new Case("m-keys-" + run, "oauth", "mid", "directory"));
    cases.add(new Case("m-cmd-" + run, "docker_install", "cmd", null)); // inside a running command

    try (CrashKit kit = new CrashKit("crash")) {
      JsonObject config = kit.config(CrashKit.commands(pausableInstall(kit.pauses), "echo configure search"),
          CrashKit.commands("echo indexing; echo indexed"));
      Map<Case, String> tasks = new LinkedHashMap<>();
      ServiceProcess b = null;
      long killedAt = 0;
      ProcessHandle orphan = null;
      Path cmdPid = kit.pauses.resolve(cases.get(cases.size() - 1).slug()).resolve("cmd.pid");
      try {
      try (ServiceProcess a = kit.startPausable(config, kit.root.resolve("node-a"))) {
        int owner = 1000;
        for (Case c : cases) {
          if (c.point().equals("cmd")) {
            Files.createDirectories(kit.pauses.resolve(c.slug()));
            Files.writeString(kit.pauses.resolve(c.slug()).resolve("pause-cmd"), "");
          } else {
            kit.pauseAt(c.slug(), c.phase(), c.point(), c.ledgerKind());
          }
          tasks.put(c, CrashKit.create(a.client(), c.slug(), null, owner++));
        }
        for (Case c : cases) {
          CrashKit.awaitFile(kit.reachedMarker(c.slug(), c.phase(), c.point()), Duration.ofSeconds(90),
              () -> log(a));
        }
        Files.delete(kit.pauses.resolve(cases.get(cases.size() - 1).slug()).resolve("pause-cmd"));

        // B joins while A is alive and paused: A's heartbeats keep the leases, so B must not take over
        b = ServiceProcess.start(config, kit.root.resolve("node-b"));
        Thread.sleep(CrashKit.LEASE_TTL.multipliedBy(2).toMillis());
        for (Case c : cases) {
          assertEquals("running", kit.status(tasks.get(c)), c + " while its node is alive");
        }
        assertFalse(b.log().contains("recovering it on this node"), "B stole a leased task:\n" + b.log());

        a.kill9();
        killedAt = System.nanoTime();
      }
      // the install command of the mid-command case outlived A (as a container exec would) ...
      orphan = ProcessHandle.of(Long.parseLong(Files.readString(cmdPid).strip())).orElse(null);
      assertTrue(orphan != null && running(orphan), "the command A ran must outlive A for this case to mean "
          + "anything");
      // the crash points are where they claim to be: between CREATE DATABASE and CREATE USER ...
      Case midDb = cases.stream().filter(c -> c.slug().startsWith("m-db-")).findFirst().orElseThrow();
      assertEquals(1, kit.db.count("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
          kit.dbName(midDb.slug())), "mid db_provision: database created");
      assertEquals(0, kit.db.count("SELECT COUNT(*) FROM mysql.user WHERE User = ?", kit.dbName(midDb.slug())),
          "mid db_provision: user not created yet");
      // ... and a copy killed half-way leaves its hidden partial directory, which the resume must clear
      Case midCopy = cases.stream().filter(c -> c.slug().startsWith("m-copy-")).findFirst().orElseThrow();
      Path partial = kit.farm.resolve("wikis").resolve("." + midCopy.slug() + "." + tasks.get(midCopy) + ".partial");
      Files.createDirectories(partial.resolve("includes"));
      Files.writeString(partial.resolve("includes").resolve("half-copied.php"), "<?php // trunc");

      ServiceProcess nodeB = b;
      {
        ExecutorService readers = Executors.newFixedThreadPool(cases.size());
        Map<Case, Future<SseClient.Stream>> streams = new LinkedHashMap<>();
        for (Case c : cases) {
          streams.put(c, readers.submit(() -> SseClient.read(nodeB.port(), tasks.get(c), null, TAKEOVER)));
        }
        kit.awaitTerminal(new ArrayList<>(tasks.values()), TAKEOVER, () -> log(nodeB));
        Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
        System.out.println("all " + cases.size() + " tasks finished " + takeover.toMillis() + " ms after the kill");
        assertTrue(takeover.compareTo(CrashKit.LEASE_TTL.plus(MARGIN)) < 0,
            "takeover took " + takeover + " (lease TTL " + CrashKit.LEASE_TTL + " + margin " + MARGIN + ")");
        List<Executable> checks = new ArrayList<>();
        for (Case c : cases) {
          checks.add(() -> kit.assertSucceeded(c.slug(), tasks.get(c)));
          checks.add(() -> assertCompleteStream(c.slug(), streams.get(c).get(30, TimeUnit.SECONDS), "succeeded", Ids.JOURNALED));
        }
        // ... and B, not this test, stopped it before running the install commands again
        Case midCmd = cases.get(cases.size() - 1);
        ProcessHandle leftover = orphan;
        checks.add(() -> assertFalse(running(leftover), "the interrupted install command still runs: pid "
            + leftover.pid()));
        // (the progress message saying so may be throttled away on SSE by the next output line; the log keeps it)
        checks.add(() -> assertTrue(nodeB.log().contains("stopping 1 leftover process(es) of task "
            + tasks.get(midCmd) + ": [" + leftover.pid() + "]"), "B reports the stopped leftover:\n" + log(nodeB)));
        try {
          assertAll(checks); // the streams are read to their end first: stopping the readers earlier interrupts them
        } finally {
          readers.shutdownNow();
        }
      }
      } finally {
        killPidIn(cmdPid); // only does something when the assertion above failed
        if (b != null) {
          b.close();
        }
      }
    }
  }

  /** Alive and not a zombie (an ended process nobody reaped yet). */
  private static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 1).trim().startsWith("Z");
    } catch (Exception e) {
      return false; // gone
    }
  }

  private static void killPidIn(Path pidFile) throws Exception {
    if (Files.exists(pidFile)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).filter(h -> h.info().command().orElse("").endsWith("sleep")).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * Resuming is impossible: the template directory was deleted before the copy happened, or the task's named
   * template is no longer configured on the node that takes over. Both tasks fail with a clear message and
   * roll back everything the crashed node created.
   */
  @Test
  void aTaskThatCannotBeResumedFailsAndRollsBackCleanly() throws Exception {
    String run = Long.toString(System.nanoTime() % 100000, 36);
    String deleted = "tpl-del-" + run;
    String unconfigured = "tpl-gone-" + run;
    try (CrashKit kit = new CrashKit("noresume")) {
      Path doomed = kit.root.resolve("doomed-template");
      Path gone = kit.root.resolve("gone-template");
      for (Path t : List.of(doomed, gone)) {
        Files.createDirectories(t.resolve("extensions"));
        Files.copy(kit.farm.resolve("template").resolve("pubwiki.ini"), t.resolve("pubwiki.ini"));
        Files.writeString(t.resolve("extensions").resolve("README"), "template file\n");
      }
      JsonObject configA = kit.config(CrashKit.commands("echo installing"), CrashKit.commands("echo indexing"));
      configA.getJsonObject("farm").put("templates", new JsonObject().put("doomed", doomed.toString())
          .put("gone", gone.toString()));
      JsonObject configB = configA.copy();
      configB.getJsonObject("farm").put("templates", new JsonObject().put("doomed", doomed.toString()));

      kit.pauseAt(deleted, "dir_copy", "mid", "directory");
      kit.pauseAt(unconfigured, "oauth", "after", null); // dir, ini, database, user and keys exist
      String deletedTask;
      String unconfiguredTask;
      try (ServiceProcess a = kit.startPausable(configA, kit.root.resolve("node-a"))) {
        deletedTask = CrashKit.create(a.client(), deleted, "doomed", 2001);
        unconfiguredTask = CrashKit.create(a.client(), unconfigured, "gone", 2002);
        CrashKit.awaitFile(kit.reachedMarker(deleted, "dir_copy", "mid"), Duration.ofSeconds(60), () -> log(a));
        CrashKit.awaitFile(kit.reachedMarker(unconfigured, "oauth", "after"), Duration.ofSeconds(60),
            () -> log(a));
        a.kill9();
      }
      FileTrees.deleteTree(doomed);

      try (ServiceProcess b = ServiceProcess.start(configB, kit.root.resolve("node-b"))) {
        ExecutorService readers = Executors.newFixedThreadPool(2);
        Future<SseClient.Stream> s1 = readers.submit(() -> SseClient.read(b.port(), deletedTask, null, TAKEOVER));
        Future<SseClient.Stream> s2 = readers.submit(() -> SseClient.read(b.port(), unconfiguredTask, null, TAKEOVER));
        kit.awaitTerminal(List.of(deletedTask, unconfiguredTask), TAKEOVER, () -> log(b));
        readers.shutdown();
        assertAll(
            () -> kit.assertFailedClean(deleted, deletedTask, "template directory is missing"),
            () -> kit.assertFailedClean(unconfigured, unconfiguredTask, "template 'gone' is no longer configured"),
            () -> assertCompleteStream(deleted, s1.get(30, TimeUnit.SECONDS), "failed", Ids.JOURNALED),
            () -> assertCompleteStream(unconfigured, s2.get(30, TimeUnit.SECONDS), "failed", Ids.JOURNALED));
      }
    }
  }

  static String log(ServiceProcess node) {
    try {
      String log = node.log();
      return log.length() > 20000 ? log.substring(log.length() - 20000) : log;
    } catch (Exception e) {
      return "(no log: " + e + ")";
    }
  }
}
