package org.wikifarm.provisioner.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in defaults, the lowest configuration layer. Keys without a default (the required ones, and those
 * whose default is derived from another key) are absent. conf/config.yaml shows the same values.
 */
final class ConfigDefaults {

  /** SPEC §6 phase 5, {@code docker_install}: MediaWiki's installer. */
  private static final List<List<String>> INSTALL_COMMANDS = List.of(
      List.of("php", "maintenance/run", "installPreConfigured"));
  /** SPEC §6 phase 6, {@code docker_index_cfg}: CirrusSearch's index configuration. */
  private static final List<List<String>> INDEX_CFG_COMMANDS = List.of(
      List.of("php", "extensions/CirrusSearch/maintenance/UpdateSearchIndexConfig.php"));
  /** SPEC §6 phase 8, {@code index}: CirrusSearch's two indexing passes. */
  private static final List<List<String>> INDEX_COMMANDS = List.of(
      List.of("php", "extensions/CirrusSearch/maintenance/ForceSearchIndex.php", "--skipLinks", "--indexOnSkip"),
      List.of("php", "extensions/CirrusSearch/maintenance/ForceSearchIndex.php", "--skipParse"));

  private ConfigDefaults() {}

  /** A fresh tree each time: callers merge the other layers into it. */
  static JsonObject asJson() {
    return new JsonObject()
        .put("http", new JsonObject().put("bind", "127.0.0.1:8080").put("body-limit", 65536)
            .put("api-token", "").put("identity", "body").put("create-rate-limit", 20).put("create-rate-window", "1h")
            .put("read-cache-ttl", "5s"))
        .put("database", new JsonObject().put("pool-size", 32).put("idle-timeout", "300s").put("verify-schema", true)
            .put("connect-timeout", "60s"))
        .put("redis", new JsonObject().put("server", "127.0.0.1:6379").put("password", "")
            .put("key-prefix", "wikifarm:").put("journal-max-events", 1000).put("journal-retention", "1d")
            .put("idempotency-ttl", "1d"))
        .put("farm", new JsonObject().put("url-scheme", "https").put("default-language", "en")
            .put("templates", new JsonObject()).put("reserved-slugs", new JsonArray())
            .put("verify-timeout", "60s"))
        .put("wiki-db", new JsonObject()
            .put("shared-tables", new JsonArray().add("user").add("user_properties").add("actor"))
            .put("name-prefix", "wiki_").put("admin-password", ""))
        .put("opensearch", new JsonObject().put("user", "").put("password", "").put("endpoint", ""))
        .put("oauth", new JsonObject().put("key-bits", 2048).put("cert-format", "spki").put("owner", "")
            .put("group", "").put("spare-keys", 2))
        .put("executor", new JsonObject().put("type", "docker").put("user", "www-data")
            .put("command-timeout", "30m").put("command-env", new JsonArray())
            .put("install-commands", toJson(INSTALL_COMMANDS))
            .put("index-cfg-commands", toJson(INDEX_CFG_COMMANDS))
            .put("index-commands", toJson(INDEX_COMMANDS)))
        .put("worker", new JsonObject().put("enabled", true).put("concurrency", 2).put("lease-ttl", "30s")
            .put("poll-interval", "5s").put("transient-retry", "60s"))
        .put("sse", new JsonObject().put("heartbeat", "15s").put("throttle", "200ms"))
        .put("cluster", new JsonObject().put("enabled", false).put("name", "wikifarm").put("host", "127.0.0.1")
            .put("port", 5701).put("bus-port", 5801).put("public-host", "").put("members", new JsonArray())
            .put("min-members", 1))
        .put("audit", new JsonObject().put("file", ""));
  }

  private static JsonArray toJson(List<List<String>> commands) {
    JsonArray array = new JsonArray();
    commands.forEach(c -> array.add(new JsonArray(new ArrayList<>(c))));
    return array;
  }
}
