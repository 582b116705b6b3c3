package org.wikifarm.provisioner.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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

  @Test
  void onlyTheNamedVariablesArePassedThrough() throws Exception {
    Map<String, String> service = Map.of("PATH", "/usr/bin:/bin", "HOME", "/root", "WIKI_DB_ADMIN_PASSWORD", "s3cret$",
        "HTTP_PROXY", "http://proxy.internal:3128");
    LocalExecutor passing = new LocalExecutor(farm, "", CommandEnvironment.of(List.of("HTTP_PROXY", "ABSENT"), service));
    Recorder out = new Recorder();
    assertEquals(0, passing.run(TASK, List.of("sh", "-c", "env"), wikiDir("pass"), LONG, out).exitCode());
    java.util.Set<String> lines = java.util.Set.copyOf(out.lines());
    assertTrue(lines.contains("HTTP_PROXY=http://proxy.internal:3128"), lines.toString());
    assertTrue(lines.contains("PATH=/usr/bin:/bin") && lines.contains("HOME=/root"), lines.toString());
    assertTrue(lines.contains("LANG=C.UTF-8"), "a default LANG when the service has none: " + lines);
    assertTrue(lines.stream().noneMatch(l -> l.contains("s3cret") || l.startsWith("ABSENT")), lines.toString());
  }
}
