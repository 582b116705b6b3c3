package org.wikifarm.provisioner.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The fat-jar entry point as a real process: starts from a config file, serves, and stops cleanly on SIGTERM. */
class ServiceProcessTest {

  @Test
  void startsServesAndShutsDownGracefullyOnSigterm() throws Exception {
    Path dir = Files.createTempDirectory(TestInfra.scratch(), "node");
    try (ServiceProcess node = ServiceProcess.start(TestConfigs.json(dir.resolve("farm")), dir)) {
      assertEquals(200, node.client().get("/provisioner/v1/wikis").status());
      int exit = node.terminate(Duration.ofSeconds(30));
      assertEquals(143, exit, "terminated by SIGTERM (128+15) after the shutdown hook: " + node.log());
      assertTrue(!node.log().contains("did not finish cleanly"), node.log());
      assertTrue(node.log().contains("shutting down"), node.log());
      assertTrue(node.log().contains("Main - stopped"), "the last line of a graceful shutdown is logged: " + node.log());
    }
  }
}
