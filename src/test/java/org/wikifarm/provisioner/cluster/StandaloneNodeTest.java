package org.wikifarm.provisioner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ServiceProcess;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * A node with {@code cluster.enabled} false (the default) never loads Hazelcast: neither while reading its
 * configuration nor when it builds its Vert.x, which used to instantiate the cluster manager vertx-hazelcast
 * lists as a service provider (issue 15). Clustered start-up is {@link ClusterTest}'s.
 */
class StandaloneNodeTest {

  @Test
  void aNodeThatDoesNotClusterLoadsNoHazelcastClass() throws Exception {
    Path dir = Files.createTempDirectory(TestInfra.scratch(), "standalone");
    JsonObject config = TestConfigs.json(dir.resolve("farm"));
    config.getJsonObject("worker").put("enabled", false);
    Path classes = dir.resolve("classes.log");
    try (ServiceProcess node = ServiceProcess.start(config, dir, Map.of(), "org.wikifarm.provisioner.cli.Main",
        List.of("-Xlog:class+load=info:file=" + classes))) {
      assertEquals(200, node.client().get("/health").status());
      node.terminate(Duration.ofSeconds(30)); // the class log is complete once the JVM has exited
    }
    List<String> loaded = Files.readAllLines(classes);
    assertTrue(loaded.stream().anyMatch(l -> l.contains("org.wikifarm.provisioner.app.Application ")),
        "the log lists the classes the node loaded");
    List<String> hazelcast = loaded.stream()
        .filter(l -> l.contains("com.hazelcast.") || l.contains("io.vertx.spi.cluster.")).toList();
    assertEquals(List.of(), hazelcast, "Hazelcast classes loaded by a node that does not cluster");
  }
}
