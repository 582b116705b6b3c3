package org.wikifarm.provisioner.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.wikifarm.provisioner.embedded.HostTools;
import org.wikifarm.provisioner.embedded.HostTools.Tool;
import org.wikifarm.provisioner.embedded.TestInfra;

/** The docker executor against the real test engine (scripts/test-dockerd.sh start). */
@HostTools.Required({Tool.DOCKER})
class DockerExecutorTest extends ContainerExecutorContract {
  private DockerExecutor executor;

  @BeforeAll
  void connectExecutor() {
    executor = DockerExecutor.forDockerHost(TestDocker.host(), container, paths, "");
  }

  @AfterAll
  void closeExecutor() {
    if (executor != null) {
      executor.close();
    }
  }

  @Override
  CommandExecutor executor() {
    return executor;
  }

  @Test
  void runsAsTheConfiguredUser() throws Exception {
    try (DockerExecutor asWwwData = DockerExecutor.forDockerHost(TestDocker.host(), container, paths, "www-data")) {
      List<String> out = new ArrayList<>();
      assertEquals(0, asWwwData.run(TASK, List.of("id", "-u"), wikiDir("user"), LONG, out::add).exitCode());
      assertEquals(List.of("33"), out);
      assertTrue(asWwwData.describe().contains("as www-data"), asWwwData.describe());
    }
    List<String> out = new ArrayList<>();
    executor.run(TASK, List.of("id", "-u"), wikiDir("user"), LONG, out::add);
    assertEquals(List.of("0"), out, "no user configured: the container's default (root here)");
  }

  @Test
  void unknownContainerIsAClearPermanentError() throws Exception {
    try (DockerExecutor missing = DockerExecutor.forDockerHost(TestDocker.host(), "no-such-wikifarm", paths, "")) {
      CommandException e = assertThrows(CommandException.class,
          () -> missing.run(TASK, List.of("true"), wikiDir("x"), LONG, line -> { }));
      assertEquals("container no-such-wikifarm not found: check WIKIFARM_INSTANCE", e.getMessage());
      assertFalse(e.isTransient());
      CommandException ready = assertThrows(CommandException.class, missing::checkReachable);
      assertEquals(e.getMessage(), ready.getMessage());
    }
  }

  @Test
  void unreachableEngineIsTransient() throws Exception {
    String bogus = "unix://" + TestInfra.scratch().resolve("no-engine-here.sock");
    try (DockerExecutor down = DockerExecutor.forDockerHost(bogus, container, paths, "")) {
      CommandException e = assertThrows(CommandException.class,
          () -> down.run(TASK, List.of("true"), wikiDir("x"), LONG, line -> { }));
      assertTrue(e.isTransient(), "the orchestrator retries an engine that is down");
      assertTrue(e.getMessage().startsWith("cannot reach the Docker engine at " + bogus), e.getMessage());
      assertTrue(e.getMessage().contains("DOCKER_HOST"), e.getMessage());
      assertTrue(assertThrows(CommandException.class, down::checkReachable).isTransient());
    }
  }

  @Test
  void missingWorkingDirectoryInTheContainerIsReported() throws Exception {
    // the host dir exists but the container sees the farm elsewhere: a wrong WIKIFARM_CONTAINER_WIKI_DIR
    PathMapping wrong = new PathMapping(farm, Path.of("/var/www/wikis"));
    try (DockerExecutor misconfigured = DockerExecutor.forDockerHost(TestDocker.host(), container, wrong, "")) {
      CommandException e = assertThrows(CommandException.class, () -> misconfigured.runChecked(TASK,
          List.of("pwd"), wikiDir("mapped"), LONG, line -> { }, s -> s));
      assertEquals("the wiki directory /var/www/wikis/mapped does not exist inside container " + container
          + ": check WIKIFARM_CONTAINER_WIKI_DIR (the farm directory as the container sees it)", e.getMessage());
    }
  }

  @Test
  void stoppedContainerIsNotReady() throws Exception {
    String stopped = "wikifarm-exec-stopped-" + ProcessHandle.current().pid();
    GenericContainer<?> exited = TestDocker.startExitedContainer(stopped);
    try (DockerExecutor ex = DockerExecutor.forDockerHost(TestDocker.host(), stopped, paths, "")) {
      CommandException e = assertThrows(CommandException.class, ex::checkReachable);
      assertTrue(e.getMessage().contains("container " + stopped + " is not running"), e.getMessage());
      CommandException run = assertThrows(CommandException.class,
          () -> ex.run(TASK, List.of("true"), wikiDir("x"), LONG, line -> { }));
      assertTrue(run.getMessage().contains("container " + stopped), run.getMessage());
    } finally {
      exited.stop();
    }
  }
}
