package org.wikifarm.provisioner.cluster;

import io.vertx.core.json.JsonObject;

/**
 * What this node knows about its cluster: used by {@code /ready} (the {@code cluster} check) and by the worker,
 * which claims tasks only while {@link #canClaim()} holds. A single node is its own healthy one-member cluster.
 */
public interface ClusterMembership {

  /** True when the node runs clustered (Hazelcast), false for the single-node default. */
  boolean clustered();

  /** Members this node currently sees, itself included (1 when single-node; 0 when it has left). */
  int members();

  /** True when the cluster manager is running and lists this node among the members. */
  boolean isMember();

  /** Member and at least {@code cluster.min-members} visible: safe to take on work. */
  boolean canClaim();

  /** The membership as shown by {@code /ready}. */
  JsonObject describe();

  /** The single-node default: always a healthy member of a cluster of one. */
  static ClusterMembership standalone() {
    return new ClusterMembership() {
      @Override
      public boolean clustered() {
        return false;
      }

      @Override
      public int members() {
        return 1;
      }

      @Override
      public boolean isMember() {
        return true;
      }

      @Override
      public boolean canClaim() {
        return true;
      }

      @Override
      public JsonObject describe() {
        return new JsonObject().put("enabled", false).put("members", 1);
      }
    };
  }
}
