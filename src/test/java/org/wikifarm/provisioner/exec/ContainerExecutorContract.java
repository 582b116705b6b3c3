package org.wikifarm.provisioner.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.GenericContainer;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * The executor contract for the executors that run commands inside a container (docker, and docker through
 * Portainer): one throw-away "wikifarm" container per class on the private test engine
 * ({@link TestDocker}), the host farm directory mounted at {@link TestDocker#CONTAINER_WIKI_DIR}. A subclass
 * builds its executor for {@link #container} and {@link #paths} in its own {@code @BeforeAll} (JUnit runs it
 * after this class's) and closes it in its {@code @AfterAll} (run before the container goes). Subclasses carry
 * {@code @HostTools.Required({Tool.DOCKER})} themselves: the annotation is not inherited, and without it a
 * machine lacking the engine would drop the class from the counts instead of reporting it skipped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerExecutorContract extends ExecutorContract {
  Path farm;
  /** The container's name, as WIKIFARM_INSTANCE would give it. */
  String container;
  PathMapping paths;
  private GenericContainer<?> wikifarm;

  @BeforeAll
  void startWikifarmContainer() throws Exception {
    TestDocker.requireEngine();
    String name = getClass().getSimpleName();
    farm = Files.createDirectories(TestInfra.scratch().resolve(name).resolve("wikis"));
    container = "wikifarm-" + name + "-" + ProcessHandle.current().pid();
    wikifarm = TestDocker.startFarmContainer(container, farm);
    paths = new PathMapping(farm, Path.of(TestDocker.CONTAINER_WIKI_DIR));
  }

  @AfterAll
  void removeWikifarmContainer() {
    if (wikifarm != null) {
      wikifarm.stop();
    }
  }

  @Override
  Path farm() {
    return farm;
  }

  @Override
  String expectedPwd(Path hostDir) {
    return TestDocker.CONTAINER_WIKI_DIR + "/" + hostDir.getFileName();
  }

  @Override
  List<String> processes() throws Exception {
    List<String> lines = new ArrayList<>();
    executor().run(TASK, List.of("ps", "-o", "args"), farm, LONG, lines::add);
    return lines;
  }
}
