package org.wikifarm.provisioner.exec;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DockerClientImpl;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.wikifarm.provisioner.embedded.Prerequisites;

/**
 * The private test engine started by {@code scripts/test-dockerd.sh start}, and throw-away "wikifarm"
 * containers on it: the busybox test image, no network, the host farm directory bind-mounted at a different
 * path so host → container path mapping is exercised.
 */
final class TestDocker implements AutoCloseable {
  static final String IMAGE = "wikifarm-test-busybox:latest";
  static final String CONTAINER_WIKI_DIR = "/srv/wikis";

  private final DockerClient client;

  private TestDocker(DockerClient client) {
    this.client = client;
  }

  /** The engine's DOCKER_HOST: WIKIFARM_TEST_DOCKER_HOST or the script's default socket. */
  static String host() {
    String env = System.getenv("WIKIFARM_TEST_DOCKER_HOST");
    return env == null || env.isBlank() ? "unix:///tmp/wikifarm-test-docker/docker.sock" : env;
  }

  static Path socket() {
    return Path.of(URI.create(host()).getPath());
  }

  /** Connects, or skips (locally) / fails (CI) when the engine or the test image is missing. */
  static TestDocker connect() {
    String host = host();
    boolean socketExists = !host.startsWith("unix://") || Files.exists(socket());
    Prerequisites.check(socketExists, "no Docker engine at " + host + ": run scripts/test-dockerd.sh start");
    DockerClient client = DockerClientImpl.getInstance(new EngineClientConfig(URI.create(host)),
        DockerExecutor.httpClient(URI.create(host), null));
    boolean answers;
    try {
      client.pingCmd().exec();
      client.inspectImageCmd(IMAGE).exec();
      answers = true;
    } catch (RuntimeException e) {
      answers = false;
    }
    Prerequisites.check(answers, "the Docker engine at " + host + " does not answer or lacks " + IMAGE
        + ": run scripts/test-dockerd.sh start");
    return new TestDocker(client);
  }

  DockerClient client() {
    return client;
  }

  /** Starts a long-running container with {@code hostFarm} mounted at {@link #CONTAINER_WIKI_DIR}; returns its name. */
  String startFarmContainer(String name, Path hostFarm) {
    client.createContainerCmd(IMAGE)
        .withName(name)
        .withCmd("sleep", "3600")
        .withHostConfig(HostConfig.newHostConfig()
            .withNetworkMode("none")
            .withBinds(new Bind(hostFarm.toAbsolutePath().toString(), new Volume(CONTAINER_WIKI_DIR))))
        .exec();
    client.startContainerCmd(name).exec();
    return name;
  }

  void remove(String container) {
    try {
      client.removeContainerCmd(container).withForce(true).exec();
    } catch (RuntimeException ignored) {
      // already gone
    }
  }

  @Override
  public void close() throws Exception {
    client.close();
  }
}
