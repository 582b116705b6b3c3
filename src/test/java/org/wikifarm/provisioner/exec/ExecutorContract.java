package org.wikifarm.provisioner.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * What every executor must do, run against each real backend by a subclass: exit statuses, ordered and
 * incremental output, deadlines that kill the command and what it started, the wiki directory as
 * working directory, and stopping what an interrupted run of a task left behind (and only that).
 */
abstract class ExecutorContract {
  static final Duration LONG = Duration.ofSeconds(30);
  /** Unique per run: {@code stopLeftovers} of a fixed id could hit another test run's processes on this host. */
  static final String TASK = newTaskId();

  static String newTaskId() {
    return UUID.randomUUID().toString();
  }

  /** The executor under test, running as the backend's default user. */
  abstract CommandExecutor executor();

  /** The host farm root ({@code WIKIFARM_DIR}) the executor maps working directories from. */
  abstract Path farm();

  /** What {@code pwd} prints when the command runs in {@code hostDir}. */
  abstract String expectedPwd(Path hostDir);

  /** The command lines of the processes now running where the executor runs commands. */
  abstract List<String> processes() throws Exception;

  Path wikiDir(String slug) throws Exception {
    return Files.createDirectories(farm().resolve(slug));
  }

  @Test
  void zeroExitReturnsStdoutAndStderrLines() throws Exception {
    Recorder out = new Recorder();
    CommandResult result = executor().run(TASK, List.of("sh", "-c", "echo hello; echo world >&2"), wikiDir("ok"), LONG, out);
    assertEquals(0, result.exitCode());
    assertTrue(result.succeeded());
    assertTrue(out.lines().containsAll(List.of("hello", "world")), out.lines().toString());
    assertEquals(List.of("hello", "world"), result.lastLines().stream().sorted().toList());
  }

  @Test
  void nonZeroExitIsReportedWithCommandAndLastLines() throws Exception {
    List<String> argv = List.of("sh", "-c", "echo step one; echo 'fatal: db locked' >&2; exit 3");
    CommandResult result = executor().run(TASK, argv, wikiDir("fail"), LONG, line -> { });
    assertEquals(3, result.exitCode());

    CommandException e = assertThrows(CommandException.class,
        () -> executor().runChecked(TASK, argv, wikiDir("fail"), LONG, line -> { }, UnaryOperator.identity()));
    assertFalse(e.isTransient(), "a failing script is not retried");
    assertTrue(e.getMessage().contains("`sh -c 'echo step one; echo '\\''fatal: db locked'\\'' >&2; exit 3'`"),
        e.getMessage());
    assertTrue(e.getMessage().contains("exited with status 3"), e.getMessage());
    assertTrue(e.getMessage().contains("fatal: db locked"), e.getMessage());
    assertTrue(e.getMessage().contains("step one"), e.getMessage());
  }

  @Test
  void failureMessageIsRedacted() throws Exception {
    List<String> argv = List.of("sh", "-c", "echo 'password=hunter22-secret'; exit 1");
    CommandException e = assertThrows(CommandException.class, () -> executor().runChecked(TASK, argv,
        wikiDir("redact"), LONG, line -> { }, s -> s.replace("hunter22-secret", "***")));
    assertFalse(e.getMessage().contains("hunter22-secret"), e.getMessage());
    assertTrue(e.getMessage().contains("password=***"), e.getMessage());
  }

  @Test
  void outputArrivesLineByLineWhileTheCommandRuns() throws Exception {
    Recorder out = new Recorder();
    long start = System.nanoTime();
    CommandResult result = executor().run(TASK,
        List.of("sh", "-c", "for i in 1 2 3 4 5; do echo line$i; sleep 0.4; done; printf 'no newline'"),
        wikiDir("stream"), LONG, out);
    long end = System.nanoTime();
    assertEquals(0, result.exitCode());
    assertEquals(List.of("line1", "line2", "line3", "line4", "line5", "no newline"), out.lines());
    // the whole run takes >= 2 s; the first line must not wait for the end
    assertTrue(end - start >= Duration.ofMillis(1900).toNanos(), "the loop sleeps 2 s in total");
    assertTrue(end - out.firstArrival() >= Duration.ofMillis(1200).toNanos(),
        "first line arrived only " + (end - out.firstArrival()) / 1_000_000 + " ms before the end");
  }

  @Test
  void timeoutKillsTheCommandAndWhatItStarted() throws Exception {
    Recorder out = new Recorder();
    long start = System.nanoTime();
    CommandException e = assertThrows(CommandException.class, () -> executor().run(TASK,
        List.of("sh", "-c", "echo started; sleep 31; echo finished"), wikiDir("slow"), Duration.ofSeconds(2), out));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(elapsedMs >= 1900 && elapsedMs < 12_000, "took " + elapsedMs + " ms");
    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("`sh -c 'echo started; sleep 31; echo finished'` did not finish within 2s"),
        e.getMessage());
    assertTrue(e.getMessage().contains("executor.command-timeout"), e.getMessage());
    assertEquals(List.of("started"), out.lines());
    List<String> left = processes().stream().filter(p -> p.contains("sleep 31")).toList();
    assertEquals(List.of(), left, "the timed-out command and its child must be gone");
  }

  @Test
  void runsInTheWikiDirectory() throws Exception {
    Path dir = wikiDir("demo-wiki");
    Files.writeString(dir.resolve("LocalSettings.php"), "<?php\n");
    Recorder out = new Recorder();
    CommandResult result = executor().run(TASK, List.of("sh", "-c", "pwd; cat LocalSettings.php"), dir, LONG, out);
    assertEquals(0, result.exitCode(), out.lines().toString());
    assertEquals(List.of(expectedPwd(dir), "<?php"), out.lines());
  }

  @Test
  void concurrentCommandsKeepTheirOwnOutput() throws Exception {
    // one executor serves every worker of the node at once
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<List<String>>> runs = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        String id = "task" + i;
        runs.add(pool.submit(() -> {
          Recorder out = new Recorder();
          CommandResult r = executor().run(TASK, List.of("sh", "-c", "echo " + id + "-a; sleep 0.5; echo " + id + "-b"),
              wikiDir(id), LONG, out);
          assertEquals(0, r.exitCode());
          return out.lines();
        }));
      }
      for (int i = 1; i <= 3; i++) {
        assertEquals(List.of("task" + i + "-a", "task" + i + "-b"), runs.get(i - 1).get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void everyCommandAndWhatItStartsCarriesItsTaskId() throws Exception {
    Recorder out = new Recorder();
    String task = newTaskId();
    CommandResult result = executor().run(task,
        List.of("sh", "-c", "echo \"$WIKIFARM_TASK_ID\"; sh -c 'echo \"child $WIKIFARM_TASK_ID\"'"), wikiDir("env"), LONG,
        out);
    assertEquals(0, result.exitCode(), out.lines().toString());
    assertEquals(List.of(task, "child " + task), out.lines());
  }

  /**
   * What a SIGKILLed node leaves: a command still running (its run is blocked here in another thread, as the
   * dead node's was) and a process its command started and left behind (re-parented, nobody waits for it).
   * stopLeftovers(A) ends both, reports them, and leaves task B's process alone.
   */
  @Test
  void stopLeftoversEndsWhatAnInterruptedRunLeftAndNothingElse() throws Exception {
    String taskA = newTaskId();
    String taskB = newTaskId();
    // six-digit durations unique to this run name the processes, even beside another run of this test
    int n = 100_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(800_000);
    String orphanA = "sleep " + n;
    String runningA = "sleep " + (n + 1);
    String orphanB = "sleep " + (n + 2);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Recorder attachedOut = new Recorder();
      Future<CommandResult> attached = pool.submit(() -> executor().run(taskA,
          List.of("sh", "-c", "echo attached; exec " + runningA), wikiDir("left-a"), LONG, attachedOut));
      CommandResult detach = executor().run(taskA,
          List.of("sh", "-c", orphanA + " </dev/null >/dev/null 2>&1 & echo detached"), wikiDir("left-a"), LONG,
          line -> { });
      assertEquals(0, detach.exitCode(), "the command itself ended; its background child lives on");
      executor().run(taskB, List.of("sh", "-c", orphanB + " </dev/null >/dev/null 2>&1 &"), wikiDir("left-b"), LONG,
          line -> { });
      long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!attachedOut.lines().contains("attached") && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertTrue(running(orphanA) && running(runningA) && running(orphanB), processes().toString());

      assertEquals(2, executor().stopLeftovers(taskA), "the blocked command and the orphan of task A");
      CommandResult killed = attached.get(20, TimeUnit.SECONDS);
      assertFalse(killed.succeeded(), "the still-running command was stopped: " + killed);
      assertFalse(running(orphanA), "orphan of A: " + processes());
      assertFalse(running(runningA), "running command of A: " + processes());
      assertTrue(running(orphanB), "B is untouched: " + processes());
      assertEquals(0, executor().stopLeftovers(taskA), "nothing left the second time");

      assertEquals(1, executor().stopLeftovers(taskB));
      assertFalse(running(orphanB), processes().toString());
    } finally {
      pool.shutdownNow();
      cleanUp(taskA);
      cleanUp(taskB);
    }
  }

  @Test
  void taskIdsAreCheckedBeforeTheyReachAnEnvironmentOrAProcessScan() {
    for (String bad : List.of("", "a b", "x;kill", "a\nWIKIFARM_TASK_ID=b", "*", "-x")) {
      assertThrows(IllegalArgumentException.class, () -> executor().stopLeftovers(bad), bad);
      assertThrows(IllegalArgumentException.class,
          () -> executor().run(bad, List.of("true"), wikiDir("bad-id"), LONG, line -> { }), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> executor().stopLeftovers(null));
  }

  /** Stops a task's processes after a test without hiding the test's own failure. */
  private void cleanUp(String taskId) {
    try {
      executor().stopLeftovers(taskId);
    } catch (Exception e) {
      System.err.println("cleaning up task " + taskId + ": " + e);
    }
  }

  private boolean running(String commandLine) throws Exception {
    return processes().stream().anyMatch(p -> p.contains(commandLine));
  }

  @Test
  void reachableWhenTheBackendIsUp() throws Exception {
    executor().checkReachable();
    assertFalse(executor().describe().isBlank());
  }

  @Test
  void aCommandExitingWithAChildHoldingItsOutputEndsWhenItExits() throws Exception {
    Recorder out = new Recorder();
    long start = System.nanoTime();
    // the background sleep inherits stdout and would keep the output open for 45 s (the whole timeout)
    String child = "sleep " + (3700 + (System.nanoTime() % 1000)); // only this test's child matches below
    CommandResult result = executor().run(TASK, List.of("sh", "-c", child + " & echo started-child"),
        wikiDir("orphan"), Duration.ofSeconds(45), out);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(0, result.exitCode());
    assertEquals(List.of("started-child"), out.lines());
    assertTrue(elapsedMs < 15_000, "ended " + elapsedMs + " ms after start, not at the timeout");
    // the orphan itself is stopped as any leftover is: by its task marker (the docker executor already did, to
    // end the output; a local process's pipe is closed by the JVM when the command exits)
    executor().stopLeftovers(TASK);
    assertTrue(processes().stream().noneMatch(p -> p.contains(child)), "the child it left is stopped: " + processes());
  }

  @Test
  void commandsNeverSeeTheServicesEnvironment() throws Exception {
    Recorder out = new Recorder();
    CommandResult result = executor().run(TASK, List.of("sh", "-c", "env"), wikiDir("env"), LONG, out);
    assertEquals(0, result.exitCode());
    java.util.Set<String> names = new java.util.HashSet<>();
    out.lines().forEach(line -> names.add(line.split("=", 2)[0]));
    assertTrue(names.contains(CommandExecutor.TASK_ENV), names.toString());
    for (String name : System.getenv().keySet()) {
      if (!java.util.Set.of("PATH", "HOME", "LANG", "HOSTNAME", "PWD", "SHLVL", "TERM").contains(name)) {
        assertFalse(names.contains(name), "the service's " + name + " reached the command: " + names);
      }
    }
  }
}
