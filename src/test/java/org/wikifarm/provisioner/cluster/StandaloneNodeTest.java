package org.wikifarm.provisioner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
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

  /**
   * The fat jar merges every library's provider list into one file; hiding that whole file (as the first version
   * did) also hid the SQL client's provider and the metrics factory's entry listed beside the cluster manager.
   * (The metrics still worked: MicrometerMetricsOptions names its factory itself.)
   */
  @Test
  void aMergedProviderListKeepsEveryProviderButTheClusterManager() throws Exception {
    Path jar = Files.createTempDirectory(TestInfra.scratch(), "merged-providers");
    Path list = jar.resolve("META-INF/services/io.vertx.core.spi.VertxServiceProvider");
    Files.createDirectories(list.getParent());
    Files.writeString(list, "io.vertx.sqlclient.impl.TransactionPropagationLocal\n"
        + "io.vertx.spi.cluster.hazelcast.HazelcastClusterManager\n# a comment\n"
        + "io.vertx.micrometer.MicrometerMetricsFactory\n");
    try (URLClassLoader fatJar = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
      ClassLoader filtered = new StandaloneVertx.WithoutClusterManagers(fatJar);
      List<String> providers = new ArrayList<>();
      for (URL found : Collections.list(filtered.getResources(list.toString().substring(jar.toString().length() + 1)))) {
        try (InputStream in = found.openStream()) {
          new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
              .filter(l -> !l.isBlank() && !l.startsWith("#")).forEach(providers::add);
        }
      }
      assertEquals(List.of("io.vertx.sqlclient.impl.TransactionPropagationLocal",
          "io.vertx.micrometer.MicrometerMetricsFactory"), providers);
    }
  }
}
