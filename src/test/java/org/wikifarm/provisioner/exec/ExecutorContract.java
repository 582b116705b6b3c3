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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * What every executor must do, run against each real backend by a subclass: exit statuses, ordered and
 * incremental output, deadlines that kill the command and what it started, and the wiki directory as
 * working directory.
 */
abstract class ExecutorContract {
  static final Duration LONG = Duration.ofSeconds(30);

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
    CommandResult result = executor().run(List.of("sh", "-c", "echo hello; echo world >&2"), wikiDir("ok"), LONG, out);
    assertEquals(0, result.exitCode());
    assertTrue(result.succeeded());
    assertTrue(out.lines().containsAll(List.of("hello", "world")), out.lines().toString());
    assertEquals(List.of("hello", "world"), result.lastLines().stream().sorted().toList());
  }

  @Test
  void nonZeroExitIsReportedWithCommandAndLastLines() throws Exception {
    List<String> argv = List.of("sh", "-c", "echo step one; echo 'fatal: db locked' >&2; exit 3");
    CommandResult result = executor().run(argv, wikiDir("fail"), LONG, line -> { });
    assertEquals(3, result.exitCode());

    ProvisionException e = assertThrows(ProvisionException.class,
        () -> executor().runChecked(argv, wikiDir("fail"), LONG, line -> { }, UnaryOperator.identity()));
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
    ProvisionException e = assertThrows(ProvisionException.class, () -> executor().runChecked(argv,
        wikiDir("redact"), LONG, line -> { }, s -> s.replace("hunter22-secret", "***")));
    assertFalse(e.getMessage().contains("hunter22-secret"), e.getMessage());
    assertTrue(e.getMessage().contains("password=***"), e.getMessage());
  }

  @Test
  void outputArrivesLineByLineWhileTheCommandRuns() throws Exception {
    Recorder out = new Recorder();
    long start = System.nanoTime();
    CommandResult result = executor().run(
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
    ProvisionException e = assertThrows(ProvisionException.class, () -> executor().run(
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
    CommandResult result = executor().run(List.of("sh", "-c", "pwd; cat LocalSettings.php"), dir, LONG, out);
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
          CommandResult r = executor().run(List.of("sh", "-c", "echo " + id + "-a; sleep 0.5; echo " + id + "-b"),
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
  void reachableWhenTheBackendIsUp() throws Exception {
    executor().checkReachable();
    assertFalse(executor().describe().isBlank());
  }
}
