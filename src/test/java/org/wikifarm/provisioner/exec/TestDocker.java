package org.wikifarm.provisioner.exec;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.utility.DockerImageName;
import org.wikifarm.provisioner.embedded.Prerequisites;

/**
 * The private test engine started by {@code scripts/test-dockerd.sh start}, and throw-away "wikifarm"
 * containers on it whose lifecycle Testcontainers manages: the busybox test image, no network, the host farm
 * directory bind-mounted at a different path so host → container path mapping is exercised.
 *
 * <p>Testcontainers runs without Ryuk ({@code TESTCONTAINERS_RYUK_DISABLED}, set by surefire): Ryuk is an image
 * from a registry, and the test engine has none. The tests remove their containers themselves; whatever a
 * killed run leaves goes with {@code scripts/test-dockerd.sh stop}.
 */
final class TestDocker {
  static final String IMAGE = "wikifarm-test-busybox:latest";
  static final String CONTAINER_WIKI_DIR = "/srv/wikis";

  /** The image is built on the engine by {@code docker import}; there is no registry it could come from. */
  private static final ImagePullPolicy NEVER_PULL = image -> false;

  private TestDocker() {}

  /** The engine's DOCKER_HOST: WIKIFARM_TEST_DOCKER_HOST or the script's default socket. */
  static String host() {
    String env = System.getenv("WIKIFARM_TEST_DOCKER_HOST");
    return env == null || env.isBlank() ? "unix:///tmp/wikifarm-test-docker/docker.sock" : env;
  }

  static Path socket() {
    return Path.of(URI.create(host()).getPath());
  }

  /**
   * Points Testcontainers at the test engine and checks that it answers and has {@link #IMAGE}; skips
   * (locally) or fails (CI) otherwise. Call before the first container is started.
   */
  static void requireEngine() {
    String host = host();
    boolean socketExists = !host.startsWith("unix://") || Files.exists(socket());
    Prerequisites.check(socketExists, "no Docker engine at " + host + ": run scripts/test-dockerd.sh start");
    // Testcontainers' docker-java configuration reads DOCKER_HOST from the system properties too; a process-wide
    // DOCKER_HOST environment variable would also become the service's executor.docker-host in other tests.
    System.setProperty("DOCKER_HOST", host);
    String problem;
    try {
      URI used = DockerClientFactory.instance().getTransportConfig().getDockerHost();
      if (!URI.create(host).equals(used)) {
        problem = "Testcontainers talks to " + used + ", not to the test engine at " + host
            + " (a DOCKER_HOST environment variable or ~/.testcontainers.properties overrides it)";
      } else {
        DockerClientFactory.instance().client().inspectImageCmd(IMAGE).exec();
        problem = null;
      }
    } catch (RuntimeException e) {
      problem = "the Docker engine at " + host + " does not answer or lacks " + IMAGE + " (" + e.getMessage()
          + "): run scripts/test-dockerd.sh start";
    }
    Prerequisites.check(problem == null, problem);
  }

  /** A started, long-running container named {@code name} with {@code hostFarm} mounted at {@link #CONTAINER_WIKI_DIR}. */
  static GenericContainer<?> startFarmContainer(String name, Path hostFarm) {
    GenericContainer<?> container = fromTestImage(name)
        .withCommand("sleep", "3600")
        .withNetworkMode("none")
        .withFileSystemBind(hostFarm.toAbsolutePath().toString(), CONTAINER_WIKI_DIR, BindMode.READ_WRITE);
    container.start();
    return container;
  }

  /** A container named {@code name} that has run {@code true} and exited: it exists but cannot run commands. */
  static GenericContainer<?> startExitedContainer(String name) {
    GenericContainer<?> container = fromTestImage(name)
        .withCommand("true")
        .withNetworkMode("none")
        .withStartupCheckStrategy(new OneShotStartupCheckStrategy());
    container.start();
    return container;
  }

  /** Named, so messages name it the way an operator's WIKIFARM_INSTANCE would. */
  private static GenericContainer<?> fromTestImage(String name) {
    return new GenericContainer<>(DockerImageName.parse(IMAGE))
        .withImagePullPolicy(NEVER_PULL)
        .withCreateContainerCmdModifier(cmd -> cmd.withName(name));
  }
}
