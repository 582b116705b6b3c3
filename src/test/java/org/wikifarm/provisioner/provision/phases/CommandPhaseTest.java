package org.wikifarm.provisioner.provision.phases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.Secret;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.exec.CommandExecutor;
import org.wikifarm.provisioner.exec.LocalExecutor;
import org.wikifarm.provisioner.provision.InMemoryLedger;
import org.wikifarm.provisioner.provision.Orchestrator;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.provision.Redactor;
import org.wikifarm.provisioner.provision.WikiRequest;

/**
 * Phases 5/7 over the local executor (real processes): order, first failure, redaction, skip, timeout, and
 * stopping what an interrupted run of the task left before running anything.
 */
class CommandPhaseTest {
  private static final String SECRET = "s3cret-db-pass";

  private Path farm;
  private Path wikiDir;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final CommandExecutor executor = new LocalExecutor(Path.of("/"), "");
  /** Unique: the phase stops every process of its task id on this host. */
  private final String taskId = UUID.randomUUID().toString();

  @BeforeEach
  void setUp(TestInfo test) throws Exception {
    farm = Files.createDirectories(TestInfra.scratch().resolve("command-phase")
        .resolve(test.getTestMethod().orElseThrow().getName()).resolve("wikis"));
    wikiDir = Files.createDirectories(farm.resolve("demo"));
  }

  private PhaseContext context(Duration timeout) {
    AppConfig.Farm farmConfig = new AppConfig.Farm(farm, farm.resolveSibling("oauth"), farm.resolveSibling("template"),
        Map.of(), "wiki.test", "https", "en", Set.of(), farm, null, Duration.ofSeconds(60), null);
    AppConfig.Executor executorConfig = new AppConfig.Executor(AppConfig.ExecutorType.LOCAL, null, null, null,
        Secret.empty(), null, "", List.of(), List.of(), List.of(), timeout, List.of());
    AppConfig config = new AppConfig(null, null, null, farmConfig, null, null, null, executorConfig, null, null, null, null);
    WikiRequest request = new WikiRequest(taskId, 1, "Demo", "demo", "en", farm.resolveSibling("template"));
    return new PhaseContext(request, config, new InMemoryLedger(), new Redactor(List.of(SECRET)), output::add);
  }

  @Test
  void runsEveryCommandInOrderInTheWikiDirectory() throws Exception {
    CommandPhase phase = CommandPhase.install(List.of(
        List.of("sh", "-c", "echo first > order.txt; echo '   installing...   '"),
        List.of("sh", "-c", "echo second >> order.txt; echo; echo '  done  '")), executor);
    PhaseContext ctx = context(Duration.ofSeconds(30));
    phase.run(ctx);
    assertEquals("docker_install", phase.name());
    assertEquals(List.of("first", "second"), Files.readAllLines(wikiDir.resolve("order.txt")));
    assertEquals(List.of("installing...", "done"), output, "trimmed, blank lines skipped");
    assertTrue(ctx.ledger().entries().isEmpty(), "nothing to roll back");
  }

  @Test
  void stopsAtTheFirstFailureWithARedactedMessage() throws Exception {
    CommandPhase phase = CommandPhase.index(List.of(
        List.of("sh", "-c", "echo indexing"),
        List.of("sh", "-c", "echo 'cannot connect with password " + SECRET + "' >&2; exit 4"),
        List.of("touch", "third-command-ran")), executor);
    ProvisionException e = assertThrows(ProvisionException.class, () -> phase.run(context(Duration.ofSeconds(30))));
    assertFalse(e.isTransient());
    assertTrue(e.getMessage().contains("exited with status 4"), e.getMessage());
    assertTrue(e.getMessage().contains("cannot connect with password ***"), e.getMessage());
    assertFalse(e.getMessage().contains(SECRET), e.getMessage());
    assertTrue(e.getMessage().startsWith("command 2 of 3 (sh) exited"), "names the step, never the command line: "
        + e.getMessage());
    assertEquals(List.of("indexing", "cannot connect with password ***"), output);
    assertFalse(Files.exists(wikiDir.resolve("third-command-ran")));
  }

  @Test
  void emptyCommandListSkipsThePhase() throws Exception {
    CommandPhase.index(List.of(), executor).run(context(Duration.ofSeconds(30)));
    assertEquals(List.of("skipped: no commands configured"), output);
  }

  @Test
  void usesTheConfiguredTimeout() {
    CommandPhase phase = CommandPhase.install(List.of(List.of("sleep", "20")), executor);
    long start = System.nanoTime();
    ProvisionException e = assertThrows(ProvisionException.class, () -> phase.run(context(Duration.ofSeconds(1))));
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    assertTrue(e.getMessage().contains("command 1 of 1 (sleep) did not finish within 1s"), e.getMessage());
    assertFalse(e.getMessage().contains("sleep 20"), "no command line in a task message: " + e.getMessage());
  }

  @Test
  void orchestratorFailsThePhaseOnceWithoutRetrying() throws Exception {
    // a permanent failure: the orchestrator must not run the script again
    CommandPhase phase = CommandPhase.install(List.of(
        List.of("sh", "-c", "echo run >> attempts.txt; echo 'Could not open input file: maintenance/run'; exit 1")),
        executor);
    Orchestrator orchestrator = new Orchestrator(List.of(new Orchestrator.Step(phase, 60, "install site")),
        Duration.ofSeconds(5),
        Duration.ofMillis(10));
    Orchestrator.Outcome outcome = orchestrator.run(context(Duration.ofSeconds(30)), (p, progress, message) -> { });
    assertFalse(outcome.succeeded());
    assertTrue(outcome.message().startsWith("docker_install failed: command 1 of 1 (sh) exited with status 1"),
        outcome.message());
    assertTrue(outcome.message().contains("Could not open input file: maintenance/run"), outcome.message());
    assertEquals(List.of("run"), Files.readAllLines(wikiDir.resolve("attempts.txt")));
  }

  @Test
  void stopsWhatAnInterruptedRunOfTheTaskLeftBeforeItsFirstCommand() throws Exception {
    // the orphan a SIGKILLed node leaves: started by the task's command, re-parented, still running
    String orphan = "sleep " + (100_000 + ThreadLocalRandom.current().nextInt(800_000));
    String otherTask = UUID.randomUUID().toString();
    String other = "sleep " + (900_000 + ThreadLocalRandom.current().nextInt(90_000));
    executor.run(taskId, List.of("sh", "-c", orphan + " </dev/null >/dev/null 2>&1 &"), wikiDir, Duration.ofSeconds(30),
        line -> { });
    executor.run(otherTask, List.of("sh", "-c", other + " </dev/null >/dev/null 2>&1 &"), wikiDir,
        Duration.ofSeconds(30), line -> { });
    try {
      assertTrue(running(orphan) && running(other));
      CommandPhase phase = CommandPhase.install(List.of(List.of("sh", "-c", "echo installing")), executor);
      phase.run(context(Duration.ofSeconds(30)));
      assertEquals(List.of("stopped 1 leftover process(es) of an interrupted run", "installing"), output);
      assertFalse(running(orphan), "the leftover was stopped before the command ran again");
      assertTrue(running(other), "another task's process is not touched");
    } finally {
      executor.stopLeftovers(taskId);
      executor.stopLeftovers(otherTask);
    }
    assertFalse(running(other));
  }

  @Test
  void aTaskOnItsFirstRunSkipsTheSearchUntilACommandOfItFails() throws Exception {
    // a process carrying the task's marker that no earlier run can have left (the runner says: first run):
    // the phase does not read every process's environment looking for it ...
    String stray = "sleep " + (100_000 + ThreadLocalRandom.current().nextInt(800_000));
    executor.run(taskId, List.of("sh", "-c", stray + " </dev/null >/dev/null 2>&1 &"), wikiDir,
        Duration.ofSeconds(30), line -> { });
    try {
      PhaseContext ctx = context(Duration.ofSeconds(30));
      ctx.firstRun();
      CommandPhase.install(List.of(List.of("sh", "-c", "echo installing")), executor).run(ctx);
      assertEquals(List.of("installing"), output);
      assertTrue(running(stray), "no search on a first run");

      // ... but once a command of this run failed, what it may have started is stopped before the next attempt
      assertThrows(ProvisionException.class, () -> CommandPhase.install(List.of(List.of("sh", "-c", "exit 3")),
          executor).run(ctx));
      assertTrue(ctx.mayHaveLeftoverProcesses());
      output.clear();
      CommandPhase.install(List.of(List.of("sh", "-c", "echo again")), executor).run(ctx);
      assertEquals(List.of("stopped 1 leftover process(es) of an interrupted run", "again"), output);
      assertFalse(running(stray), "stopped before the retry ran");
    } finally {
      executor.stopLeftovers(taskId);
    }
  }

  private static boolean running(String commandLine) {
    return ProcessHandle.allProcesses().anyMatch(p -> p.info().commandLine().orElse("").contains(commandLine));
  }
}
