package org.wikifarm.provisioner.config;

import static java.util.Map.entry;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one list of environment variables the service reads, each with the config key it sets. The loader reads
 * exactly these, problems name a key together with its variable from here, and a test holds README's
 * configuration table and the {@code [NAME]} notes of conf/config.yaml to this list. Names from the seeds
 * (SPEC §7) are kept exactly.
 */
final class EnvironmentVariables {

  static final Map<String, String> KEY_BY_NAME = inOrder(List.of(
      entry("DATABASE_URL", "database.url"),
      entry("BIND_ADDR", "http.bind"),
      entry("PROVISIONER_API_TOKEN", "http.api-token"),
      entry("WIKIFARM_IDENTITY", "http.identity"),
      entry("REDIS_URL", "redis.url"),
      entry("REDIS_SERVER", "redis.server"),
      entry("REDIS_PASSWORD", "redis.password"),
      entry("WIKIFARM_DIR", "farm.wiki-dir"),
      entry("WIKIFARM_OAUTH_DIR", "farm.oauth-dir"),
      entry("WIKIFARM_CONFIG_DIR", "farm.config-dir"),
      entry("WIKIFARM_TEMPLATE", "farm.template"),
      entry("WIKI_ROOT_HOST", "farm.root-host"),
      entry("WIKIFARM_VERIFY_URL", "farm.verify-url"),
      entry("WIKIFARM_ARCHIVE_DIR", "farm.archive-dir"),
      entry("WIKI_DB_HOST", "wiki-db.host"),
      entry("WIKI_DB_ADMIN_USER", "wiki-db.admin-user"),
      entry("WIKI_DB_ADMIN_PASSWORD", "wiki-db.admin-password"),
      entry("WIKI_SHARED_DB_NAME", "wiki-db.shared-db-name"),
      entry("OPENSEARCH_USER", "opensearch.user"),
      entry("OPENSEARCH_PASSWORD", "opensearch.password"),
      entry("OPENSEARCH_ENDPOINT", "opensearch.endpoint"),
      entry("WIKIFARM_EXECUTOR", "executor.type"),
      entry("WIKIFARM_INSTANCE", "executor.instance"),
      entry("DOCKER_HOST", "executor.docker-host"),
      entry("PORTAINER_ENDPOINT", "executor.portainer-endpoint"),
      entry("PORTAINER_API_KEY", "executor.portainer-api-key"),
      entry("WIKIFARM_CONTAINER_WIKI_DIR", "executor.container-wiki-dir"),
      entry("WIKIFARM_INSTALL_COMMANDS", "executor.install-commands"),
      entry("WIKIFARM_COMMAND_ENV", "executor.command-env"),
      entry("WIKIFARM_DOCKER_INDEX_CFG_COMMANDS", "executor.index-cfg-commands"),
      entry("WIKIFARM_INDEX_COMMANDS", "executor.index-commands"),
      entry("WIKIFARM_WORKERS", "worker.concurrency"),
      entry("WIKIFARM_CLUSTER", "cluster.enabled"),
      entry("WIKIFARM_CLUSTER_NAME", "cluster.name"),
      entry("WIKIFARM_CLUSTER_HOST", "cluster.host"),
      entry("WIKIFARM_CLUSTER_PORT", "cluster.port"),
      entry("WIKIFARM_CLUSTER_MEMBERS", "cluster.members"),
      entry("WIKIFARM_CLUSTER_BUS_PORT", "cluster.bus-port"),
      entry("WIKIFARM_CLUSTER_PUBLIC_HOST", "cluster.public-host"),
      entry("WIKIFARM_CLUSTER_MIN_MEMBERS", "cluster.min-members"),
      entry("WIKIFARM_AUDIT_FILE", "audit.file")));

  /** The variables whose values are (or contain) the service's secrets. */
  private static final Set<String> SECRET = Set.of("DATABASE_URL", "PROVISIONER_API_TOKEN", "REDIS_URL",
      "REDIS_PASSWORD", "WIKI_DB_ADMIN_PASSWORD", "OPENSEARCH_PASSWORD", "PORTAINER_API_KEY");

  /** Whether {@code name} carries one of the service's secrets. */
  static boolean isSecret(String name) {
    return SECRET.contains(name);
  }

  private static final Map<String, String> NAME_BY_KEY = inverse(KEY_BY_NAME);

  private EnvironmentVariables() {}

  /** How problems name a key: {@code http.bind (BIND_ADDR)}, or the bare key when no variable sets it. */
  static String label(String key) {
    String name = NAME_BY_KEY.get(key);
    return name == null ? key : key + " (" + name + ")";
  }

  /** The variable that sets {@code key}, or "" when none does. */
  static String nameOf(String key) {
    return NAME_BY_KEY.getOrDefault(key, "");
  }

  /**
   * The environment as a configuration layer; unknown variables are ignored, empty ones count as unset. Values
   * stay strings, also the JSON command lists: the parser reads them, so a malformed one is one problem among
   * all the others instead of a failure that hides them.
   */
  static JsonObject toConfig(Map<String, String> env) {
    JsonObject json = new JsonObject();
    KEY_BY_NAME.forEach((name, key) -> {
      String value = env.get(name);
      if (value != null && !value.isEmpty()) {
        ConfigTree.set(json, key, value);
      }
    });
    return json;
  }

  private static Map<String, String> inOrder(List<Map.Entry<String, String>> entries) {
    Map<String, String> map = new LinkedHashMap<>();
    entries.forEach(e -> map.put(e.getKey(), e.getValue()));
    return Collections.unmodifiableMap(map);
  }

  private static Map<String, String> inverse(Map<String, String> map) {
    Map<String, String> inverse = new LinkedHashMap<>();
    map.forEach((name, key) -> {
      if (inverse.put(key, name) != null) {
        throw new IllegalStateException("two environment variables set " + key);
      }
    });
    return Collections.unmodifiableMap(inverse);
  }
}
