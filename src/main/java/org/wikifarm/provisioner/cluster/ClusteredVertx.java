package org.wikifarm.provisioner.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;

/**
 * A clustered {@link Vertx} on Hazelcast ({@code vertx-hazelcast}), configured in code from {@code cluster.*}:
 * the cluster name (farms with another name never merge), TCP/IP discovery from the member list with multicast
 * and auto-detection off, Hazelcast bound to {@code cluster.host}:{@code cluster.port} (no port auto-increment:
 * a taken port fails the start instead of silently moving), the public address when behind NAT, phone-home off,
 * logging through java.util.logging like the rest of the service, and no Hazelcast shutdown hook (the service's
 * own hook undeploys, then closes Vert.x, which leaves the cluster). The event bus listens on
 * {@code cluster.host}:{@code cluster.bus-port}. Event-bus bodies are JSON, so nothing needs Java serialization.
 */
public final class ClusteredVertx {
  private static final Logger LOG = Logger.getLogger(ClusteredVertx.class.getName());

  private ClusteredVertx() {}

  /** A started clustered Vert.x and the view of its membership. */
  public record Node(Vertx vertx, ClusterMembership membership) {}

  /** Starts Hazelcast, joins the cluster and starts the clustered event bus. */
  public static Future<Node> start(AppConfig.Cluster cluster, VertxOptions options) {
    Config hazelcast;
    try {
      hazelcast = hazelcastConfig(cluster);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcast);
    options.getEventBusOptions().setHost(cluster.host()).setPort(cluster.busPort());
    if (!cluster.publicHost().isBlank()) {
      options.getEventBusOptions().setClusterPublicHost(cluster.publicHost());
    }
    LOG.info("joining cluster '" + cluster.name() + "' as " + cluster.host() + ":" + cluster.port()
        + " (event bus port " + cluster.busPort() + "), members " + cluster.members());
    return Vertx.builder().with(options).withClusterManager(manager).buildClustered()
        .map(vertx -> {
          HazelcastMembership membership = new HazelcastMembership(manager, cluster);
          LOG.info("joined cluster '" + cluster.name() + "' as node " + manager.getNodeId() + "; "
              + membership.members() + " member(s)");
          return new Node(vertx, membership);
        });
  }

  /** The Hazelcast configuration for {@code cluster.*} (public for tests and documentation). */
  public static Config hazelcastConfig(AppConfig.Cluster cluster) {
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "jdk");
    }
    Config config = new Config();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.logging.type", "jdk");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.health.monitoring.level", "OFF"); // no periodic heap/queue dump in the log
    // the service's shutdown hook leaves the cluster after undeploying; Hazelcast's own would pull the cluster
    // from under the graceful stop
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    // a silent member (partition, frozen VM) is dropped after 15 s instead of 60; a killed one is noticed
    // sooner through its closed connections
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "15");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "2");
    // two halves of a healed partition merge within ~30 s instead of Hazelcast's default 5 min
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "30");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "30");
    config.setProperty("hazelcast.wait.seconds.before.join", "2");

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    String bindIp = resolve(cluster.host());
    if (!"0.0.0.0".equals(bindIp)) {
      config.setProperty("hazelcast.socket.bind.any", "false");
      network.getInterfaces().setEnabled(true).setInterfaces(List.of(bindIp));
    }
    if (!cluster.publicHost().isBlank()) {
      network.setPublicAddress(cluster.publicHost() + ":" + cluster.port());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members().isEmpty()
        ? List.of(cluster.host() + ":" + cluster.port()) : List.copyOf(cluster.members()));

    // what vertx-hazelcast's default-cluster.xml declares: one backup of the event-bus subscriptions and
    // node infos, so one member's death loses nothing
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return config;
  }

  private static String resolve(String host) {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new ConfigException(List.of("cluster.host (WIKIFARM_CLUSTER_HOST): cannot resolve '" + host + "'"));
    }
  }

  /** Membership as Hazelcast sees it, read without blocking (Hazelcast keeps the member list locally). */
  static final class HazelcastMembership implements ClusterMembership {
    private final HazelcastClusterManager manager;
    private final AppConfig.Cluster cluster;

    HazelcastMembership(HazelcastClusterManager manager, AppConfig.Cluster cluster) {
      this.manager = manager;
      this.cluster = cluster;
    }

    @Override
    public boolean clustered() {
      return true;
    }

    private List<String> nodes() {
      try {
        return manager.isActive() ? manager.getNodes() : List.of();
      } catch (RuntimeException notRunning) {
        // HazelcastInstanceNotActiveException while leaving or after a fatal failure
        return List.of();
      }
    }

    @Override
    public int members() {
      return nodes().size();
    }

    @Override
    public boolean isMember() {
      try {
        return manager.isActive() && manager.getHazelcastInstance().getLifecycleService().isRunning()
            && nodes().contains(manager.getNodeId());
      } catch (RuntimeException notRunning) {
        return false;
      }
    }

    @Override
    public boolean canClaim() {
      return isMember() && members() >= cluster.minMembers();
    }

    @Override
    public JsonObject describe() {
      List<String> nodes = nodes();
      String self;
      try {
        self = manager.getNodeId();
      } catch (RuntimeException e) {
        self = null;
      }
      return new JsonObject().put("enabled", true).put("name", cluster.name()).put("node_id", self)
          .put("member", isMember())
          .put("members", nodes.size()).put("min_members", cluster.minMembers())
          .put("nodes", new JsonArray(List.copyOf(nodes)));
    }
  }
}
