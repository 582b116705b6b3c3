package org.wikifarm.provisioner.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.config.ConfigLoader;

/** The cluster options, their environment names, and the Hazelcast configuration built from them. */
class ClusterConfigTest {

  private static JsonObject minimal() {
    return new JsonObject()
        .put("database", new JsonObject().put("url", "mysql://u:p@127.0.0.1:3306/mediawiki"))
        .put("redis", new JsonObject().put("url", "redis://127.0.0.1:6379"))
        .put("farm", new JsonObject().put("wiki-dir", "/tmp/w").put("oauth-dir", "/tmp/o").put("template", "/tmp/t")
            .put("root-host", "wiki.test"))
        .put("wiki-db", new JsonObject().put("admin-user", "root").put("admin-password", "x")
            .put("shared-db-name", "shared"))
        .put("executor", new JsonObject().put("type", "local").put("user", ""));
  }

  @Test
  void singleNodeIsTheDefaultAndTheNewKeysHaveDocumentedDefaults() {
    AppConfig.Cluster c = ConfigLoader.fromJson(minimal()).cluster();
    assertFalse(c.enabled());
    assertEquals("wikifarm", c.name());
    assertEquals(5701, c.port());
    assertEquals(5801, c.busPort());
    assertEquals(1, c.minMembers());
    assertEquals("", c.publicHost());
    assertEquals(List.of(), c.members());
  }

  @Test
  void environmentNamesMapOntoTheClusterKeys() {
    JsonObject env = ConfigLoader.fromEnvironment(Map.of("WIKIFARM_CLUSTER", "true",
        "WIKIFARM_CLUSTER_NAME", "farm-a", "WIKIFARM_CLUSTER_HOST", "10.0.0.11", "WIKIFARM_CLUSTER_PORT", "5711",
        "WIKIFARM_CLUSTER_BUS_PORT", "5811", "WIKIFARM_CLUSTER_PUBLIC_HOST", "203.0.113.11",
        "WIKIFARM_CLUSTER_MEMBERS", "10.0.0.11:5711,10.0.0.12:5711", "WIKIFARM_CLUSTER_MIN_MEMBERS", "2"));
    AppConfig.Cluster c = ConfigLoader.fromJson(minimal().mergeIn(env, true)).cluster();
    assertEquals(new AppConfig.Cluster(true, "farm-a", "10.0.0.11", 5711, 5811, "203.0.113.11",
        List.of("10.0.0.11:5711", "10.0.0.12:5711"), 2), c);
  }

  @Test
  void clashingPortsAndAWildcardHostWithoutPublicHostAreRejected() {
    JsonObject json = minimal().put("cluster", new JsonObject().put("enabled", true).put("host", "0.0.0.0")
        .put("port", 5701).put("bus-port", 5701).put("min-members", 0));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromJson(json));
    assertTrue(e.getMessage().contains("cluster.bus-port"), e.getMessage());
    assertTrue(e.getMessage().contains("cluster.public-host"), e.getMessage());
    assertTrue(e.getMessage().contains("cluster.min-members"), e.getMessage());
  }

  @Test
  void hazelcastGetsTcpIpMembersNoMulticastAFixedPortAndTheClusterName() {
    AppConfig.Cluster c = new AppConfig.Cluster(true, "farm-a", "127.0.0.1", 5711, 5811, "198.51.100.7",
        List.of("127.0.0.1:5711", "127.0.0.1:5712"), 1);
    Config hz = ClusteredVertx.hazelcastConfig(c);
    assertEquals("farm-a", hz.getClusterName());
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(List.of("127.0.0.1:5711", "127.0.0.1:5712"), join.getTcpIpConfig().getMembers());
    assertEquals(5711, hz.getNetworkConfig().getPort());
    assertFalse(hz.getNetworkConfig().isPortAutoIncrement());
    assertTrue(hz.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("127.0.0.1"), List.copyOf(hz.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("false", hz.getProperty("hazelcast.socket.bind.any"));
    assertEquals("198.51.100.7:5711", hz.getNetworkConfig().getPublicAddress());
    assertEquals("false", hz.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("false", hz.getProperty("hazelcast.shutdownhook.enabled"));
    assertEquals("jdk", hz.getProperty("hazelcast.logging.type"));
    assertEquals(1, hz.getMultiMapConfig("__vertx.subs").getBackupCount());
  }

  @Test
  void aLoneNodeWithoutMembersListsItself() {
    Config hz = ClusteredVertx.hazelcastConfig(new AppConfig.Cluster(true, "x", "127.0.0.1", 5701, 5801, "",
        List.of(), 1));
    assertEquals(List.of("127.0.0.1:5701"), hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    assertEquals(null, hz.getNetworkConfig().getPublicAddress());
  }

  @Test
  void standaloneMembershipAlwaysClaims() {
    ClusterMembership m = ClusterMembership.standalone();
    assertFalse(m.clustered());
    assertTrue(m.canClaim());
    assertEquals(new JsonObject().put("enabled", false).put("members", 1), m.describe());
  }
}
