package org.wikifarm.provisioner.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.wikifarm.provisioner.embedded.TestInfra;

/** The local executor with real host processes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalExecutorTest extends ExecutorContract {
  private Path farm;
  private LocalExecutor executor;

  @BeforeAll
  void setUp() throws Exception {
    farm = Files.createDirectories(TestInfra.scratch().resolve("local-exec").resolve("wikis")).toRealPath();
    executor = new LocalExecutor(farm, "www-data");
  }

  @AfterAll
  void tearDown() {
    executor.close();
  }

  @Override
  CommandExecutor executor() {
    return executor;
  }

  @Override
  Path farm() {
    return farm;
  }

  @Override
  String expectedPwd(Path hostDir) {
    return hostDir.toString();
  }

  @Override
  List<String> processes() {
    return ProcessHandle.allProcesses()
        .map(p -> p.info().commandLine().orElse(""))
        .toList();
  }

  @Test
  void missingProgramSaysWhatToInstall() throws Exception {
    CommandException e = assertThrows(CommandException.class,
        () -> executor.run(TASK, List.of("no-such-program-4711", "--version"), wikiDir("x"), LONG, line -> { }));
    assertTrue(e.getMessage().startsWith("cannot start `no-such-program-4711 --version`"), e.getMessage());
    assertTrue(e.getMessage().contains("Is no-such-program-4711 installed"), e.getMessage());
    assertFalse(e.isTransient());
  }

  @Test
  void missingWorkingDirectoryIsReported() {
    Path absent = farm.resolve("never-created");
    CommandException e = assertThrows(CommandException.class,
        () -> executor.run(TASK, List.of("true"), absent, LONG, line -> { }));
    assertTrue(e.getMessage().contains(absent + " does not exist"), e.getMessage());
  }

  @Test
  void readinessNeedsTheFarmDirectory() {
    CommandException e = assertThrows(CommandException.class,
        () -> new LocalExecutor(farm.resolve("absent"), "").checkReachable());
    assertTrue(e.getMessage().contains("check WIKIFARM_DIR"), e.getMessage());
  }

  @Test
  void multiByteCharactersSplitAcrossReadsSurvive() throws Exception {
    Recorder out = new Recorder();
    // 12 001 bytes: more than one 8 KiB read, and byte 8192 falls inside an "é"
    String text = "x" + "é".repeat(6000);
    executor.run(TASK, List.of("printf", "%s\\n", text), wikiDir("utf8"), LONG, out);
    assertEquals(List.of(text), out.lines());
  }
}
