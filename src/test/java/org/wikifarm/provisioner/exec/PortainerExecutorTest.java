package org.wikifarm.provisioner.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.config.Secret;
import org.wikifarm.provisioner.embedded.HostTools;
import org.wikifarm.provisioner.embedded.HostTools.Tool;

/**
 * The portainer executor through a Portainer-like proxy (API key check, endpoint prefix) in front of the real
 * test engine: the whole executor contract must hold through it, every request must carry the key, and a
 * rejected key must say which setting to fix without revealing it.
 */
@HostTools.Required({Tool.DOCKER})
class PortainerExecutorTest extends ContainerExecutorContract {
  private static final String KEY = "ptr_test-key-5f1d2c9a";

  private TestPortainerProxy proxy;
  private DockerExecutor executor;

  @BeforeAll
  void startProxy() throws Exception {
    proxy = new TestPortainerProxy(KEY, TestDocker.socket());
    executor = PortainerExecutor.create(proxy.endpoint(), Secret.of(KEY), container, paths, "");
  }

  @AfterAll
  void stopProxy() throws Exception {
    if (executor != null) {
      executor.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Override
  CommandExecutor executor() {
    return executor;
  }

  @Test
  void everyRequestCarriesTheApiKey() throws Exception {
    proxy.forgetSeenKeys(); // test methods of this class run one at a time
    List<String> out = new ArrayList<>();
    try (DockerExecutor asWwwData = PortainerExecutor.create(proxy.endpoint(), Secret.of(KEY), container, paths,
        "www-data")) {
      assertEquals(0, asWwwData.run(TASK, List.of("id", "-u"), wikiDir("key"), LONG, out::add).exitCode());
    }
    assertEquals(List.of("33"), out);
    assertTrue(proxy.seenKeys().size() >= 3, "exec create, start and inspect: " + proxy.seenKeys().size());
    assertEquals(List.of(KEY), proxy.seenKeys().stream().distinct().toList());
  }

  @Test
  void rejectedKeyNamesTheSettingButNotTheKey() throws Exception {
    String wrong = "ptr_wrong-key-0b7e44";
    try (DockerExecutor bad = PortainerExecutor.create(proxy.endpoint(), Secret.of(wrong), container, paths, "")) {
      CommandException e = assertThrows(CommandException.class,
          () -> bad.run(TASK, List.of("true"), wikiDir("x"), LONG, line -> { }));
      assertEquals("Portainer rejected the API key: check PORTAINER_API_KEY", e.getMessage());
      assertFalse(e.isTransient());
      CommandException ready = assertThrows(CommandException.class, bad::checkReachable);
      assertEquals(e.getMessage(), ready.getMessage());
      assertFalse(bad.describe().contains(wrong), bad.describe());
    }
    try (DockerExecutor none = PortainerExecutor.create(proxy.endpoint(), Secret.empty(), container, paths, "")) {
      CommandException e = assertThrows(CommandException.class, none::checkReachable);
      assertEquals("Portainer rejected the API key: check PORTAINER_API_KEY", e.getMessage());
    }
  }

  @Test
  void unknownEndpointPointsAtPortainerEndpoint() throws Exception {
    try (DockerExecutor wrong = PortainerExecutor.create(proxy.endpoint(9), Secret.of(KEY), container, paths, "")) {
      CommandException e = assertThrows(CommandException.class, wrong::checkReachable);
      assertTrue(e.getMessage().contains("answered 404"), e.getMessage());
      assertTrue(e.getMessage().contains("check PORTAINER_ENDPOINT"), e.getMessage());
      assertFalse(e.getMessage().contains(KEY));
    }
  }

  @Test
  void portainerDownIsTransient() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + closedPort + TestPortainerProxy.PREFIX;
    try (DockerExecutor down = PortainerExecutor.create(endpoint, Secret.of(KEY), container, paths, "")) {
      CommandException e = assertThrows(CommandException.class,
          () -> down.run(TASK, List.of("true"), wikiDir("x"), LONG, line -> { }));
      assertTrue(e.isTransient());
      assertTrue(e.getMessage().startsWith("cannot reach the Portainer endpoint " + endpoint), e.getMessage());
      assertFalse(e.getMessage().contains(KEY));
    }
  }

  @Test
  void endpointUrlMustBeHttp() {
    assertThrows(IllegalArgumentException.class,
        () -> PortainerExecutor.create("ftp://portainer/api/endpoints/1/docker", Secret.of(KEY), container, paths, ""));
  }
}
